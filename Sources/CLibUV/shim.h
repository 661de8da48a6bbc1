#include <uv.h>
#include <signal.h>

/* SIG_IGN is a cast macro Swift cannot import; a write to a peer that has gone must
   be an EPIPE error, not a signal that kills the process. */
static inline void lab_ignore_sigpipe(void) {
    signal(SIGPIPE, SIG_IGN);
}
