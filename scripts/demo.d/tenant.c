// SPDX-License-Identifier: GPL-2.0
/*
 * Demo tenant: build, sign and initialise an enclave of a given size in the
 * caller's cgroup through /dev/ebroker, report what happened, and keep the
 * enclave alive until stdin closes (so the demo can show the charges).
 *
 *   tenant SIZE_MIB KEY.pem
 */
#include <stdio.h>

#include "../../selftests/ebroker/tencl.h"

int main(int argc, char **argv)
{
	static uint8_t page[EB_PAGE_SIZE] __attribute__((aligned(EB_PAGE_SIZE)));
	struct eb_enclave_info info;
	uint64_t size, want;
	struct tencl t;
	char c;
	int r;

	if (argc != 3 || (want = strtoull(argv[1], NULL, 10) << 20) == 0) {
		fprintf(stderr, "usage: tenant SIZE_MIB KEY.pem\n");
		return 2;
	}
	setenv("EB_TEST_KEY", argv[2], 1);
	for (size = 2 * EB_PAGE_SIZE; size < want + EB_PAGE_SIZE; size <<= 1)
		;
	r = tencl_create(&t, size, 0);
	for (uint64_t off = 0; !r && off < want; off += EB_PAGE_SIZE)
		r = tencl_add(&t, off, TENCL_RW, page, EB_PAGE_SIZE, true);
	if (!r)
		r = tencl_finish(&t);
	if (r) {
		fprintf(stderr, "tenant %d: enclave of %s MiB refused: %s\n", getpid(), argv[1],
			strerror(-r));
		tencl_close(&t);
		return 1;
	}
	if (tencl_info(&t, &info) == 0)
		printf(
		    "tenant %d: enclave of %s MiB ready, %llu EPC pages charged to cgroup %llu\n",
		    getpid(), argv[1], (unsigned long long)info.pages,
		    (unsigned long long)info.cgroup_id);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	tencl_close(&t);
	return 0;
}
