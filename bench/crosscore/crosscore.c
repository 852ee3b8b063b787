/* crosscore.c — what it costs to scan a block on another core than the one that just wrote it.
 *
 * The pipeline's question (src/pipeline.c): should one thread read a block and another scan it, or should the
 * thread that reads a block also scan it? Here one thread writes a 1 MiB block (as read() fills a buffer) and then
 * either scans it itself, or hands it to a thread pinned to the other core, which scans it; the scan reads the block
 * four times, as the prefilter's kinds and the gates do. Build and run: bash bench/crosscore/run.sh */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK (1u << 20)
#define ROUNDS 200

static unsigned char *block;
static atomic_int turn; /* 1: the other thread scans; 0: the writer goes on */
static volatile unsigned long sink;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static unsigned long scan(const unsigned char *p)
{
    unsigned long s = 0;
    for (int pass = 0; pass < 4; pass++)
        for (size_t i = 0; i < BLOCK; i += 8) {
            unsigned long x;
            memcpy(&x, p + i, 8);
            s += x;
        }
    return s;
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *scanner(void *arg)
{
    pin(1);
    for (int r = 0; r < ROUNDS; r++) {
        while (atomic_load(&turn) != 1)
            ;
        sink += scan(block);
        atomic_store(&turn, 0);
    }
    return arg;
}

int main(void)
{
    if (!(block = malloc(BLOCK)))
        return 1;
    pin(0);
    memset(block, 1, BLOCK);
    double t0 = now_ms();
    for (int r = 0; r < ROUNDS; r++) {
        memset(block, r, BLOCK);
        sink += scan(block);
    }
    double same = now_ms() - t0;
    pthread_t th;
    if (pthread_create(&th, NULL, scanner, NULL))
        return 1;
    t0 = now_ms();
    for (int r = 0; r < ROUNDS; r++) {
        memset(block, r, BLOCK);
        atomic_store(&turn, 1);
        while (atomic_load(&turn) != 0)
            ;
    }
    double cross = now_ms() - t0;
    pthread_join(th, NULL);
    printf("write 1 MiB, scan it 4 times; %d rounds: same core %.1f ms, other core %.1f ms: %.2f ms more per MiB\n",
           ROUNDS, same, cross, (cross - same) / ROUNDS);
    free(block);
    return 0;
}
