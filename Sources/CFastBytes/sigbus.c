// A file mapped for reading that another program cuts short while it is read makes the next
// touch of a page past its new end raise SIGBUS, which would kill the run. The guard below
// keeps a table of the mappings of input files; a fault inside one of them is answered by mapping
// a page of zeros there and marking the mapping cut, and the reader then rejects that file whole
// (a zero byte is never text, and `fh_mapping_cut` says why). A fault anywhere else is not ours:
// the default action is restored and the fault happens again, as without the guard.
#define _GNU_SOURCE
#include "CFastBytes.h"
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FH_WATCHED 512

static uintptr_t watched_start[FH_WATCHED];
static uintptr_t watched_end[FH_WATCHED];
static int watched_cut[FH_WATCHED];

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    (void)context;
    uintptr_t a = (uintptr_t)info->si_addr;
    for (int i = 0; i < FH_WATCHED; i++) {
        uintptr_t s = __atomic_load_n(&watched_start[i], __ATOMIC_ACQUIRE);
        uintptr_t e = __atomic_load_n(&watched_end[i], __ATOMIC_ACQUIRE);
        if (s != 0 && a >= s && a < e) {
            long page = sysconf(_SC_PAGESIZE);
            uintptr_t p = a & ~((uintptr_t)page - 1);
            if (mmap((void *)p, (size_t)page, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) break;
            __atomic_store_n(&watched_cut[i], 1, __ATOMIC_RELEASE);
            return;
        }
    }
    signal(sig, SIG_DFL);
}

void fh_install_sigbus_guard(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
}

int fh_watch_mapping(const void *p, size_t n) {
    for (int i = 0; i < FH_WATCHED; i++) {
        uintptr_t expected = 0;
        // Claim the slot with its end first (a start of 0 marks it free), then publish the start.
        if (__atomic_load_n(&watched_start[i], __ATOMIC_ACQUIRE) == 0 &&
            __atomic_compare_exchange_n(&watched_end[i], &expected, (uintptr_t)p + n, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&watched_cut[i], 0, __ATOMIC_RELEASE);
            __atomic_store_n(&watched_start[i], (uintptr_t)p, __ATOMIC_RELEASE);
            return i;
        }
    }
    return -1;
}

int fh_mapping_cut(int slot) {
    return slot >= 0 && slot < FH_WATCHED ? __atomic_load_n(&watched_cut[slot], __ATOMIC_ACQUIRE) : 0;
}

void fh_unwatch_mapping(int slot) {
    if (slot < 0 || slot >= FH_WATCHED) return;
    __atomic_store_n(&watched_start[slot], 0, __ATOMIC_RELEASE);
    __atomic_store_n(&watched_end[slot], 0, __ATOMIC_RELEASE);
}
