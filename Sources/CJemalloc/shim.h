#ifndef SLUICE_CJEMALLOC_H
#define SLUICE_CJEMALLOC_H
#include <stddef.h>
// Only jemalloc's control interface: linking the library is what replaces malloc and free in
// the whole process (its symbols come before libc's). <jemalloc/jemalloc.h> would redeclare
// malloc and friends next to Glibc's.
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
#endif
