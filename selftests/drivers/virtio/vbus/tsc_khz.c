// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the host's TSC rate in kHz: the rate of a TCG guest's TSC, which
 * QEMU reads from the host's. vmtest.sh hands it to microvm guests.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

/* A TSC reading and the monotonic time it was taken at, within 20 us. */
static void sample(unsigned long long *tsc, double *ns)
{
	struct timespec a, b;

	do {
		clock_gettime(CLOCK_MONOTONIC_RAW, &a);
		*tsc = __rdtsc();
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	} while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) > 20000);
	*ns = a.tv_sec * 1e9 + a.tv_nsec;
}

int main(void)
{
	struct timespec gap = { 0, 100000000 };
	unsigned long long t0, t1;
	double n0, n1;

	sample(&t0, &n0);
	nanosleep(&gap, NULL);
	sample(&t1, &n1);
	printf("%.0f\n", (t1 - t0) * 1e6 / (n1 - n0));
	return 0;
}
