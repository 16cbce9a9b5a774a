/*
 * Times the OpenBLAS routines the structured factorization is compared with, on this machine:
 * dgetrf (+ one dgetrs) on a dense N x N matrix, dpotrf on an N x N positive definite matrix, and
 * dgemm C = A B with A M x K and B K x N. One warm-up run, then at least 5 timed runs and at least
 * 0.25 s of them (at most 2001); the median is reported. The input is copied back before each
 * factorization, untimed. Threads: OPENBLAS_NUM_THREADS, as OpenBLAS reads it.
 *
 *   lapack_rates dgetrf N [FILE]   FILE: N*N doubles, row-major, native byte order (else random)
 *   lapack_rates dpotrf N
 *   lapack_rates dgemm M N K
 *
 * Output, one line: routine, sizes, median wall ms and GFLOP/s (LAPACK's nominal counts: 2/3 N^3
 * for dgetrf, 1/3 N^3 for dpotrf, 2 M N K for dgemm), the same by process CPU time, runs. Built by build.sh beside this file; not
 * part of the solution, the tests or CI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>

extern void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
extern void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda,
                    const int *ipiv, double *b, const int *ldb, int *info);
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);

#define MIN_RUNS 5
#define MAX_RUNS 2001
#define MIN_SECONDS 0.25

static double clock_seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *allocate(size_t count)
{
    double *p = malloc(count * sizeof(double));
    if (!p) { fprintf(stderr, "error: cannot allocate %zu doubles\n", count); exit(1); }
    return p;
}

static void fill_random(double *a, size_t count, unsigned seed)
{
    srand(seed);
    for (size_t i = 0; i < count; i++) a[i] = 2.0 * rand() / RAND_MAX - 1.0;
}

typedef struct { const char *routine; int m, n, k; double *a, *b, *c, *work, *rhs; int *ipiv; } job;

/* One run of the routine; returns LAPACK's info (0: success). */
static int run(job *j)
{
    int info = 0, one = 1;
    size_t nn = (size_t)j->n * j->n;
    if (strcmp(j->routine, "dgetrf") == 0) {
        memcpy(j->work, j->a, nn * sizeof(double));
        dgetrf_(&j->n, &j->n, j->work, &j->n, j->ipiv, &info);
        if (info == 0) {
            /* The matrix is read row-major: solve with its transpose's factors, as a row-major LU would. */
            memcpy(j->c, j->rhs, (size_t)j->n * sizeof(double));
            dgetrs_("T", &j->n, &one, j->work, &j->n, j->ipiv, j->c, &j->n, &info);
        }
    } else if (strcmp(j->routine, "dpotrf") == 0) {
        memcpy(j->work, j->a, nn * sizeof(double));
        dpotrf_("L", &j->n, j->work, &j->n, &info);
    } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, j->m, j->n, j->k, 1.0, j->a, j->k, j->b, j->n, 0.0, j->c, j->n);
    }
    return info;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lapack_rates dgetrf N [FILE] | dpotrf N | dgemm M N K\n");
        return 2;
    }
    job j = {0};
    j.routine = argv[1];
    double flops;
    if (strcmp(j.routine, "dgetrf") == 0 || strcmp(j.routine, "dpotrf") == 0) {
        j.n = atoi(argv[2]);
        if (j.n <= 0) { fprintf(stderr, "error: N is %s; expected a positive integer\n", argv[2]); return 2; }
        size_t nn = (size_t)j.n * j.n;
        j.a = allocate(nn);
        j.work = allocate(nn);
        j.c = allocate((size_t)j.n);
        j.rhs = allocate((size_t)j.n);
        j.ipiv = malloc((size_t)j.n * sizeof(int));
        fill_random(j.rhs, (size_t)j.n, 2);
        if (j.routine[3] == 'g' && argc > 3) {
            FILE *f = fopen(argv[3], "rb");
            if (!f || fread(j.a, sizeof(double), nn, f) != nn) {
                fprintf(stderr, "error: %s does not hold %zu doubles\n", argv[3], nn);
                return 2;
            }
            fclose(f);
        } else if (j.routine[3] == 'g') {
            fill_random(j.a, nn, 1);
        } else {
            /* B B^T + N I: positive definite. */
            double *b = allocate(nn);
            fill_random(b, nn, 1);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, j.n, j.n, j.n, 1.0, b, j.n, b, j.n, 0.0, j.a, j.n);
            for (int i = 0; i < j.n; i++) j.a[(size_t)i * j.n + i] += j.n;
            free(b);
        }
        flops = (j.routine[3] == 'g' ? 2.0 / 3.0 : 1.0 / 3.0) * (double)j.n * j.n * j.n;
    } else if (strcmp(j.routine, "dgemm") == 0 && argc == 5) {
        j.m = atoi(argv[2]); j.n = atoi(argv[3]); j.k = atoi(argv[4]);
        if (j.m <= 0 || j.n <= 0 || j.k <= 0) { fprintf(stderr, "error: M, N, K must be positive integers\n"); return 2; }
        j.a = allocate((size_t)j.m * j.k);
        j.b = allocate((size_t)j.k * j.n);
        j.c = allocate((size_t)j.m * j.n);
        fill_random(j.a, (size_t)j.m * j.k, 1);
        fill_random(j.b, (size_t)j.k * j.n, 2);
        flops = 2.0 * j.m * j.n * j.k;
    } else {
        fprintf(stderr, "error: unknown routine or arguments; expected dgetrf N [FILE], dpotrf N or dgemm M N K\n");
        return 2;
    }

    if (run(&j) != 0) { fprintf(stderr, "error: %s reported a singular or indefinite matrix\n", j.routine); return 1; }
    /* Wall time, and the process's CPU time: with one thread, the time it computed without waiting for a core. */
    static double times[MAX_RUNS], cpu_times[MAX_RUNS];
    int runs = 0;
    double total = 0;
    while (runs < MAX_RUNS && (runs < MIN_RUNS || total < MIN_SECONDS)) {
        double start = clock_seconds(CLOCK_MONOTONIC), cpu_start = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
        run(&j);
        times[runs] = clock_seconds(CLOCK_MONOTONIC) - start;
        cpu_times[runs] = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
        total += times[runs++];
    }
    qsort(times, (size_t)runs, sizeof(double), compare);
    qsort(cpu_times, (size_t)runs, sizeof(double), compare);
    double median = runs % 2 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
    double cpu_median = runs % 2 ? cpu_times[runs / 2] : 0.5 * (cpu_times[runs / 2 - 1] + cpu_times[runs / 2]);
    if (j.m) printf("dgemm %d %d %d", j.m, j.n, j.k); else printf("%s %d", j.routine, j.n);
    printf(" %.6f ms %.3f GFLOP/s cpu %.6f ms %.3f GFLOP/s %d runs\n", median * 1e3, flops / median * 1e-9,
           cpu_median * 1e3, flops / cpu_median * 1e-9, runs);
    return 0;
}
