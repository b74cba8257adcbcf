/*
 * deny-write-execute PROGRAM [ARG]...: runs PROGRAM under the seccomp filter systemd installs for
 * MemoryDenyWriteExecute=yes (systemd's seccomp_memory_deny_write_execute, which is what the
 * distributions' systemd versions enforce): mmap() of memory both writable and executable,
 * mprotect()/pkey_mprotect() adding PROT_EXEC, and shmat() with SHM_EXEC fail with EPERM.
 * The release tests run the packaged u7s under it where no systemd runs to apply the unit.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "x86_64 or aarch64 only"
#endif

/* The low 32 bits of a 64-bit argument (little-endian): prot and shmflg fit in them. */
#define ARGUMENT(n) (offsetof(struct seccomp_data, args) + (n) * sizeof(__u64))

int main(int argc, char **argv)
{
    struct sock_filter filter[] = {
        /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        /* 2 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        /* 3 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 4, 0),           /* -> 9 */
        /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 6, 0),       /* -> 12 */
        /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 5, 0),  /* -> 12 */
        /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_shmat, 6, 0),          /* -> 14 */
        /* 8 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* 9: mmap(addr, length, prot, ...) */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARGUMENT(2)),
        /* 10 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC),
        /* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_WRITE | PROT_EXEC, 5, 4), /* -> 17 deny, 16 allow */
        /* 12: mprotect(addr, length, prot), pkey_mprotect(addr, length, prot, pkey) */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARGUMENT(2)),
        /* 13 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 3, 2),          /* -> 17 deny, 16 allow */
        /* 14: shmat(shmid, addr, shmflg) */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARGUMENT(2)),
        /* 15 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SHM_EXEC, 1, 0),           /* -> 17 deny, 16 allow */
        /* 16 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* 17 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
    };
    struct sock_fprog program = { .len = sizeof filter / sizeof filter[0], .filter = filter };

    if (argc < 2) {
        fprintf(stderr, "usage: deny-write-execute PROGRAM [ARG]...\n");
        return 2;
    }
    /* As under NoNewPrivileges=yes: an unprivileged process may then install a filter. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        perror("deny-write-execute: seccomp");
        return 125;
    }
    execvp(argv[1], argv + 1);
    perror("deny-write-execute: exec");
    return 127;
}
