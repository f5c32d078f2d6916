#ifndef FIVEHOURS_CSYSTEM_SHIM_H
#define FIVEHOURS_CSYSTEM_SHIM_H
#include <unistd.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sched.h>

/// Atomically swaps two paths (Linux renameat2 with RENAME_EXCHANGE), so that a new report
/// folder replaces the old one as a whole. Returns -1 with errno set where unsupported.
static inline int fivehours_exchange(const char *a, const char *b) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
    return -1;
#endif
}
/// Lets the calling thread run only when a core would otherwise be idle (Linux SCHED_IDLE), so
/// that work nobody waits for yet gives way to work somebody does. Returns -1 where unsupported.
static inline int fivehours_run_when_idle(void) {
#if defined(__linux__)
    struct sched_param param = { 0 };
    return sched_setscheduler(0, 5 /* SCHED_IDLE */, &param);
#else
    return -1;
#endif
}
/// The calling thread's id (Linux), for `fivehours_run_normally`; 0 where there is none.
static inline int fivehours_thread_id(void) {
#if defined(__linux__) && defined(SYS_gettid)
    return (int)syscall(SYS_gettid);
#else
    return 0;
#endif
}

/// Puts a thread of this process back on the ordinary policy (from SCHED_IDLE), when somebody
/// now waits for its work. Returns -1 where unsupported.
static inline int fivehours_run_normally(int thread) {
#if defined(__linux__)
    struct sched_param param = { 0 };
    return sched_setscheduler(thread, 0 /* SCHED_OTHER */, &param);
#else
    (void)thread;
    return -1;
#endif
}

/// The open flag that writes a file's bytes to the disk without keeping them in the page cache
/// (Linux O_DIRECT: glibc spells it `__O_DIRECT` whatever the feature macros); 0 where there
/// is none, and the file is written through the cache.
static inline int fivehours_direct_flag(void) {
#if defined(__linux__) && defined(__O_DIRECT)
    return __O_DIRECT;
#else
    return 0;
#endif
}
#endif
