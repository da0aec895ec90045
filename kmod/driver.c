// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ebroker: each open() is one enclave, freed with its last reference
 * (the file and every mapping of it).
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <linux/ebroker.h>

#include "ebroker.h"
#include "encl.h"
#include "ioctl.h"
#include "vma.h"

static int eb_open(struct inode *inode, struct file *file)
{
	struct eb_encl *encl = eb_encl_alloc();

	if (!encl)
		return -ENOMEM;
	file->private_data = encl;
	return 0;
}

static int eb_release(struct inode *inode, struct file *file)
{
	eb_encl_free(file->private_data);
	return 0;
}

static const struct file_operations eb_fops = {
	.owner = THIS_MODULE,
	.open = eb_open,
	.release = eb_release,
	.unlocked_ioctl = eb_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = eb_mmap,
};

static struct miscdevice eb_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = EB_DEVICE_NAME,
	.fops = &eb_fops,
	.mode = 0600,
};

int eb_driver_init(void)
{
	return misc_register(&eb_miscdev);
}

void eb_driver_exit(void)
{
	misc_deregister(&eb_miscdev);
}
