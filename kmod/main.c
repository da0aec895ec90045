// SPDX-License-Identifier: GPL-2.0
/*
 * ebroker.ko: enclave broker. Owns the EPC pool, builds and measures
 * enclaves, and charges every enclave page to a cgroup.
 *
 * Init is a linear ladder; exit is the same list reversed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "ebroker.h"
#include "keys.h"
#include "measure.h"
#include "netlink.h"
#include "pool.h"
#include "size.h"

#define EB_EPC_MIN	SZ_1M
#define EB_EPC_MAX	SZ_4G

static char *epc_size = "64M";
module_param(epc_size, charp, 0444);
MODULE_PARM_DESC(epc_size, "EPC pool size, e.g. 64M (1M..4G, whole pages)");

static char *backend = EB_BACKEND_SIM;
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend, "EPC backend: sim (software EPC)");

static int eb_parse_epc_size(const char *s, unsigned long *ret_bytes)
{
	u64 bytes;
	int ret;

	ret = eb_parse_size(s, strlen(s), &bytes);
	if (ret == -EINVAL) {
		pr_err("epc_size=%s is not a size (expected e.g. 64M or 1G)\n",
		       s);
		return ret;
	}
	if (ret || bytes < EB_EPC_MIN || bytes > EB_EPC_MAX) {
		pr_err("epc_size=%s is out of range (1M..4G)\n", s);
		return -EINVAL;
	}
	if (bytes & ~PAGE_MASK) {
		pr_err("epc_size=%s is not a whole number of %lu-byte pages\n",
		       s, PAGE_SIZE);
		return -EINVAL;
	}
	if ((bytes >> PAGE_SHIFT) > totalram_pages() / 2) {
		pr_err("epc_size=%s is more than half of this machine's memory\n",
		       s);
		return -EINVAL;
	}
	*ret_bytes = bytes;
	return 0;
}

static int __init eb_init(void)
{
	unsigned long bytes;
	int ret;

	if (strcmp(backend, EB_BACKEND_SIM)) {
		pr_err("backend=%s is not supported: this build has only 'sim'\n",
		       backend);
		return -EINVAL;
	}
	ret = eb_parse_epc_size(epc_size, &bytes);
	if (ret)
		return ret;

	ret = eb_pool_init(bytes);
	if (ret) {
		pr_err("cannot reserve %lu bytes of EPC\n", bytes);
		return ret;
	}
	ret = eb_keys_init();
	if (ret)
		goto pool_exit;
	ret = eb_measure_init();
	if (ret) {
		pr_err("cannot allocate a sha256 transform: %d\n", ret);
		goto keys_exit;
	}
	ret = eb_sysfs_init();
	if (ret)
		goto measure_exit;
	ret = eb_genl_init();
	if (ret)
		goto sysfs_exit;
	ret = eb_driver_init();
	if (ret)
		goto genl_exit;

	pr_info("backend %s, %lu bytes of EPC, measuring with %s\n", backend,
		bytes, eb_measure_driver());
	return 0;

genl_exit:
	eb_genl_exit();
sysfs_exit:
	eb_sysfs_exit();
measure_exit:
	eb_measure_exit();
keys_exit:
	eb_keys_exit();
pool_exit:
	eb_pool_exit();
	return ret;
}

static void __exit eb_exit(void)
{
	eb_driver_exit();
	eb_genl_exit();
	eb_sysfs_exit();
	eb_measure_exit();
	eb_keys_exit();
	eb_pool_exit();
}

module_init(eb_init);
module_exit(eb_exit);

/*
 * The measurement's hash is the fastest "sha256" registered at load: have
 * modprobe load the accelerated drivers (sha256_ssse3 on x86) first, as
 * modules-load.d may load us before udev loads them by CPU feature.
 * modprobe ignores a soft dependency that is missing or fails to load.
 */
MODULE_SOFTDEP("pre: crypto-sha256");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ebroker: enclave broker with per-cgroup EPC accounting");
MODULE_AUTHOR("The ebroker authors");
