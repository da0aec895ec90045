// SPDX-License-Identifier: GPL-2.0
/* hello-host: load hello.ebimg and call its two ECALLs. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ebroker/loader.h>

int main(int argc, char **argv)
{
	const char *image = argc > 1 ? argv[1] : "hello.ebimg";
	const char *name = argc > 2 ? argv[2] : "world";
	struct ebroker_enclave *e = NULL;
	uint64_t calls = 0;
	char out[128];
	size_t n = 0;
	int r;

	/* sim emulates ENCLU from a SIGILL handler: hand it the signals. */
	r = ebroker_loader_signals_install();
	if (r) {
		fprintf(stderr, "signal handlers: %s\n", strerror(-r));
		return 1;
	}
	r = ebroker_enclave_load_file(image, NULL, &e);
	if (r) {
		fprintf(stderr, "%s: %s\n", image, strerror(-r));
		return 1;
	}
	r = ebroker_enclave_call(e, 0, name, strlen(name), out, sizeof(out), &n);
	if (!r)
		printf("%.*s\n", (int)n, out);
	for (int i = 0; !r && i < 3; i++)
		r = ebroker_enclave_call(e, 1, NULL, 0, &calls, sizeof(calls), &n);
	if (!r)
		printf("count ECALL called %llu times\n", (unsigned long long)calls);
	else
		fprintf(stderr, "ECALL: %s\n", strerror(-r));
	e = ebroker_enclave_free(e);
	ebroker_loader_signals_uninstall();
	return r ? 1 : 0;
}
