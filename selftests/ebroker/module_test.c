// SPDX-License-Identifier: GPL-2.0
/*
 * The loaded module's visible surface: the device node and the pool in
 * sysfs. Expects the module loaded with epc_size=64M by scripts/guest-check.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "eb_test.h"

TEST(device_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(EB_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(10, major(st.st_rdev)); /* a misc device */
}

TEST(unprivileged_open_refused)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (open(EB_DEVICE_PATH, O_RDWR) >= 0)
			_exit(3);
		_exit(errno == EACCES ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(pool_figures)
{
	uint64_t total = eb_read_u64(EB_SYSFS "/pool/total_bytes");
	char buf[32];

	EXPECT_EQ(64ULL << 20, total);
	EXPECT_EQ(total, eb_read_u64(EB_SYSFS "/pool/free_bytes"));
	EXPECT_GE(total, eb_read_u64(EB_SYSFS "/pool/min_free_bytes"));
	ASSERT_EQ(0, eb_read_file(EB_SYSFS "/backend", buf, sizeof(buf)));
	EXPECT_STREQ("sim\n", buf);
}

TEST(pool_files_read_only)
{
	EXPECT_EQ(-EACCES, eb_write_file(EB_SYSFS "/pool/total_bytes", "1"));
	EXPECT_EQ(-EACCES, eb_write_file(EB_SYSFS "/pool/free_bytes", "1"));
}

/* Unloading is refused while an enclave (its file) is alive. */
TEST(unload_refused_while_enclave_lives)
{
	int fd = open(EB_DEVICE_PATH, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, syscall(SYS_delete_module, "ebroker", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	close(fd);
	EXPECT_EQ(0, access("/sys/module/ebroker", F_OK));
}

TEST_HARNESS_MAIN
