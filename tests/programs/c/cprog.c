/* C guest for mmadapt's end-to-end tests (wasi-libc through `zig cc`).
 *
 * argv: cprog <dir> [exit-code]   dir: a preopened directory (e.g. /sandbox);
 *                                  exit code defaults to 5.
 * env:  CPROG_GREETING is printed if set; every variable is printed, sorted.
 * stdin: read to EOF, its byte count and line count printed.
 *
 * Output is deterministic: clock values are printed only as orderings,
 * directory listings are sorted. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void join(char *out, size_t n, const char *dir, const char *name) {
    snprintf(out, n, "%s/%s", dir, name);
}

static void list_dir(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s: %s\n", path, strerror(errno));
        return;
    }
    char *names[256];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 256) {
        char kind = e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l' : '?';
        char *s = malloc(strlen(e->d_name) + 3);
        sprintf(s, "%c %s", kind, e->d_name);
        names[count++] = s;
    }
    closedir(d);
    qsort(names, count, sizeof(char *), cmp_str);
    printf("listing %s (%d entries):\n", path, count);
    for (int i = 0; i < count; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);

    const char *greeting = getenv("CPROG_GREETING");
    printf("CPROG_GREETING=%s\n", greeting ? greeting : "(unset)");
    int envc = 0;
    for (char **e = environ; *e; e++) envc++;
    char **env = malloc(sizeof(char *) * (envc + 1));
    for (int i = 0; i < envc; i++) env[i] = environ[i];
    qsort(env, envc, sizeof(char *), cmp_str);
    printf("envc=%d\n", envc);
    for (int i = 0; i < envc; i++) printf("env %s\n", env[i]);
    free(env);

    /* stdin */
    char buf[4096];
    size_t total = 0, lines = 0, n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        total += n;
        for (size_t i = 0; i < n; i++) lines += buf[i] == '\n';
    }
    printf("stdin: %zu bytes, %zu lines\n", total, lines);

    fprintf(stderr, "cprog: this goes to stderr\n");

    /* clocks: orderings only */
    struct timespec m1, m2, r1, res;
    clock_gettime(CLOCK_MONOTONIC, &m1);
    clock_gettime(CLOCK_REALTIME, &r1);
    clock_getres(CLOCK_MONOTONIC, &res);
    volatile unsigned long spin = 0;
    for (int i = 0; i < 100000; i++) spin += i;
    clock_gettime(CLOCK_MONOTONIC, &m2);
    int ordered = m2.tv_sec > m1.tv_sec || (m2.tv_sec == m1.tv_sec && m2.tv_nsec >= m1.tv_nsec);
    printf("monotonic ordered: %s\n", ordered ? "yes" : "no");
    printf("realtime after 2020: %s\n", r1.tv_sec > 1577836800 ? "yes" : "no");
    printf("monotonic resolution positive: %s\n", (res.tv_sec > 0 || res.tv_nsec > 0) ? "yes" : "no");

    if (argc < 2) {
        printf("no directory given\n");
        return 2;
    }
    const char *dir = argv[1];
    char p[512], q[512];

    /* files */
    join(p, sizeof p, dir, "c-out.txt");
    FILE *f = fopen(p, "w");
    if (!f) {
        printf("fopen %s: %s\n", p, strerror(errno));
        return 4;
    }
    for (int i = 0; i < 10; i++) fprintf(f, "line %d of c-out\n", i);
    fclose(f);
    f = fopen(p, "a");
    fputs("appended\n", f);
    fclose(f);
    f = fopen(p, "r");
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = 0;
    fclose(f);
    char *last = buf;
    for (size_t i = 0; i + 1 < got; i++)
        if (buf[i] == '\n') last = buf + i + 1;
    printf("c-out.txt: %zu bytes, last line: %s", got, last);

    struct stat st;
    if (stat(p, &st) == 0)
        printf("stat c-out.txt: size=%lld regular=%s\n", (long long)st.st_size, S_ISREG(st.st_mode) ? "yes" : "no");

    /* reading a file the host provided */
    join(q, sizeof q, dir, "input.txt");
    f = fopen(q, "r");
    if (f) {
        got = fread(buf, 1, sizeof buf - 1, f);
        buf[got] = 0;
        fclose(f);
        printf("input.txt: %s", buf);
    } else {
        printf("fopen input.txt: %s\n", strerror(errno));
    }

    /* directories */
    join(p, sizeof p, dir, "cdir");
    printf("mkdir cdir: %s\n", mkdir(p, 0755) == 0 ? "ok" : strerror(errno));
    printf("mkdir cdir again: %s\n", mkdir(p, 0755) == 0 ? "ok" : strerror(errno));
    join(p, sizeof p, dir, "cdir/a.txt");
    f = fopen(p, "w");
    fputs("a\n", f);
    fclose(f);
    join(p, sizeof p, dir, "cdir/b.txt");
    f = fopen(p, "w");
    fputs("bb\n", f);
    fclose(f);
    join(p, sizeof p, dir, "cdir/sub");
    mkdir(p, 0755);
    join(p, sizeof p, dir, "cdir");
    list_dir(p);

    join(p, sizeof p, dir, "cdir/a.txt");
    join(q, sizeof q, dir, "cdir/renamed.txt");
    printf("rename a.txt -> renamed.txt: %s\n", rename(p, q) == 0 ? "ok" : strerror(errno));
    printf("stat a.txt after rename: %s\n", stat(p, &st) == 0 ? "exists" : strerror(errno));
    join(p, sizeof p, dir, "cdir/b.txt");
    printf("unlink b.txt: %s\n", unlink(p) == 0 ? "ok" : strerror(errno));
    printf("unlink b.txt again: %s\n", unlink(p) == 0 ? "ok" : strerror(errno));
    join(p, sizeof p, dir, "cdir");
    printf("rmdir cdir (not empty): %s\n", rmdir(p) == 0 ? "ok" : strerror(errno));
    join(p, sizeof p, dir, "cdir/sub");
    printf("rmdir cdir/sub: %s\n", rmdir(p) == 0 ? "ok" : strerror(errno));
    join(p, sizeof p, dir, "cdir");
    list_dir(p);
    printf("stat cdir: %s\n", stat(p, &st) == 0 && S_ISDIR(st.st_mode) ? "directory" : "?");
    printf("fopen outside the sandbox: %s\n", fopen("/etc/passwd", "r") ? "opened" : strerror(errno));

    int code = argc > 2 ? atoi(argv[2]) : 5;
    printf("exiting with %d\n", code);
    fflush(stdout);
    return code;
}
