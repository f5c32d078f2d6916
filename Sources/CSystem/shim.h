#ifndef FIVEHOURS_CSYSTEM_SHIM_H
#define FIVEHOURS_CSYSTEM_SHIM_H
#include <unistd.h>
#include <fcntl.h>
#include <sys/syscall.h>

/// Atomically swaps two paths (Linux renameat2 with RENAME_EXCHANGE), so that a new report
/// folder replaces the old one as a whole. Returns -1 with errno set where unsupported.
static inline int fivehours_exchange(const char *a, const char *b) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
    return -1;
#endif
}
#endif
