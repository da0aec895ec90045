// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/ebroker/: the backend and the pool's figures, one value per
 * file. Layout and examples: docs/ABI/sysfs-kernel-ebroker.
 */
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/sysfs.h>

#include "cgroup.h"
#include "ebroker.h"
#include "encl.h"
#include "keys.h"
#include "pool.h"
#include "size.h"

struct kobject *eb_kobj;

static ssize_t backend_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", EB_BACKEND_SIM);
}

static struct kobj_attribute backend_attr = __ATTR_RO(backend);

static ssize_t total_bytes_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", eb_pool_total_pages() << PAGE_SHIFT);
}

static struct kobj_attribute total_bytes_attr = __ATTR_RO(total_bytes);

static ssize_t free_bytes_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", eb_pool_free_pages() << PAGE_SHIFT);
}

static struct kobj_attribute free_bytes_attr = __ATTR_RO(free_bytes);

static ssize_t min_free_bytes_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", eb_pool_min_free_pages() << PAGE_SHIFT);
}

static struct kobj_attribute min_free_bytes_attr = __ATTR_RO(min_free_bytes);

static ssize_t low_water_bytes_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", eb_pool_low_water_pages() << PAGE_SHIFT);
}

static ssize_t low_water_bytes_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	u64 bytes;
	int ret;

	ret = eb_parse_size(buf, count, &bytes);
	if (ret)
		return ret;
	if (bytes & ~PAGE_MASK)
		return -EINVAL;
	ret = eb_pool_set_low_water(bytes >> PAGE_SHIFT);
	return ret ? ret : count;
}

static struct kobj_attribute low_water_bytes_attr =
	__ATTR_RW_MODE(low_water_bytes, 0644);

static ssize_t enclaves_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", eb_encl_count());
}

static struct kobj_attribute enclaves_attr = __ATTR_RO(enclaves);

static struct attribute *eb_root_attrs[] = {
	&backend_attr.attr,
	&enclaves_attr.attr,
	NULL,
};

static const struct attribute_group eb_root_group = {
	.attrs = eb_root_attrs,
};

static struct attribute *eb_pool_attrs[] = {
	&total_bytes_attr.attr,
	&free_bytes_attr.attr,
	&min_free_bytes_attr.attr,
	&low_water_bytes_attr.attr,
	NULL,
};

static const struct attribute_group eb_pool_group = {
	.name = "pool",
	.attrs = eb_pool_attrs,
};

static const struct attribute_group *eb_groups[] = {
	&eb_root_group,
	&eb_pool_group,
	&eb_keys_attr_group,
	NULL,
};

int eb_sysfs_init(void)
{
	int ret;

	eb_kobj = kobject_create_and_add("ebroker", kernel_kobj);
	if (!eb_kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(eb_kobj, eb_groups);
	if (ret)
		goto put_kobj;
	ret = eb_cg_init(eb_kobj);
	if (ret)
		goto remove_groups;
	return 0;

remove_groups:
	sysfs_remove_groups(eb_kobj, eb_groups);
put_kobj:
	kobject_put(eb_kobj);
	return ret;
}

void eb_sysfs_exit(void)
{
	eb_cg_exit();
	sysfs_remove_groups(eb_kobj, eb_groups);
	kobject_put(eb_kobj);
}
