#include <linux/module.h>
#define INCLUDE_VERMAGIC
#include <linux/build-salt.h>
#include <linux/elfnote-lto.h>
#include <linux/export-internal.h>
#include <linux/vermagic.h>
#include <linux/compiler.h>

BUILD_SALT;
BUILD_LTO_INFO;

MODULE_INFO(vermagic, VERMAGIC_STRING);
MODULE_INFO(name, KBUILD_MODNAME);

__visible struct module __this_module
__section(".gnu.linkonce.this_module") = {
	.name = KBUILD_MODNAME,
	.init = init_module,
#ifdef CONFIG_MODULE_UNLOAD
	.exit = cleanup_module,
#endif
	.arch = MODULE_ARCH_INIT,
};

#ifdef CONFIG_RETPOLINE
MODULE_INFO(retpoline, "Y");
#endif


static const struct modversion_info ____versions[]
__used __section("__versions") = {
	{ 0xd1f7903d, "vmf_insert_pfn" },
	{ 0x47978cc, "misc_deregister" },
	{ 0x13c49cc2, "_copy_from_user" },
	{ 0x8d522714, "__rcu_read_lock" },
	{ 0xe1cf2aa, "sysfs_create_file_ns" },
	{ 0xb0e602eb, "memmove" },
	{ 0x9291cd3b, "memdup_user" },
	{ 0x3bf17755, "mpi_read_buffer" },
	{ 0xceb1f126, "mpi_read_raw_data" },
	{ 0x102f89a9, "kernfs_path_from_node" },
	{ 0xad0dd4ad, "sysfs_remove_groups" },
	{ 0x99f7371c, "refcount_dec_and_mutex_lock" },
	{ 0xd83d3903, "cgroup_get_from_path" },
	{ 0xbad3cecb, "sysfs_create_groups" },
	{ 0x69acdf38, "memcpy" },
	{ 0x37a0cba, "kfree" },
	{ 0xcb2afe84, "kernel_kobj" },
	{ 0xba8fbd64, "_raw_spin_lock" },
	{ 0xcbd4898c, "fortify_panic" },
	{ 0x9fe939e1, "mpi_powm" },
	{ 0xbdfb6dbb, "__fentry__" },
	{ 0xe783e261, "sysfs_emit" },
	{ 0x318ee5ac, "sysfs_notify" },
	{ 0x65487097, "__x86_indirect_thunk_rax" },
	{ 0x92997ed8, "_printk" },
	{ 0x1d24c881, "___ratelimit" },
	{ 0xa19b956, "__stack_chk_fail" },
	{ 0x296695f, "refcount_warn_saturate" },
	{ 0xb2fcb56d, "queue_delayed_work_on" },
	{ 0x3450ad94, "mpi_set_ui" },
	{ 0xc4f0eba0, "sysfs_remove_file_ns" },
	{ 0x7d173e99, "__free_pages" },
	{ 0x23b4e0d7, "clear_page_rep" },
	{ 0xc6cbbc89, "capable" },
	{ 0x7cd8d75e, "page_offset_base" },
	{ 0x599fb41c, "kvmalloc_node" },
	{ 0x3ef022ec, "compat_ptr_ioctl" },
	{ 0x98503a63, "mpi_alloc" },
	{ 0x8df92f66, "memchr_inv" },
	{ 0x2469810f, "__rcu_read_unlock" },
	{ 0xb3f548ad, "kmemdup_nul" },
	{ 0x8b5ecfed, "kobj_sysfs_ops" },
	{ 0xa85a3e6d, "xa_load" },
	{ 0x4dfa8d4b, "mutex_lock" },
	{ 0x44945b5a, "cgroup_get_from_fd" },
	{ 0x925493f, "clear_page_orig" },
	{ 0x9084b044, "clear_page_erms" },
	{ 0x48c32817, "kobject_init_and_add" },
	{ 0x944375db, "_totalram_pages" },
	{ 0xcefb0c9f, "__mutex_init" },
	{ 0x68fb37ae, "current_task" },
	{ 0xfb578fc5, "memset" },
	{ 0x844c8938, "misc_register" },
	{ 0x744e0813, "param_ops_charp" },
	{ 0x5b8239ca, "__x86_return_thunk" },
	{ 0x6b10bee1, "_copy_to_user" },
	{ 0x5a44f8cb, "__crypto_memneq" },
	{ 0xab068b81, "kobject_create_and_add" },
	{ 0xe2d5255a, "strcmp" },
	{ 0x4841bdee, "strnchr" },
	{ 0x7dcf4135, "__xa_insert" },
	{ 0x745a981, "xa_erase" },
	{ 0x97651e6c, "vmemmap_base" },
	{ 0xdd64e639, "strscpy" },
	{ 0x7b5b8f31, "sha256_update" },
	{ 0xd18f72fc, "kobject_del" },
	{ 0x3213f038, "mutex_unlock" },
	{ 0x9fa7184a, "cancel_delayed_work_sync" },
	{ 0xd9491c14, "xa_destroy" },
	{ 0x8fa25c24, "xa_find" },
	{ 0x11dd3e1e, "alloc_pages" },
	{ 0xae7c231d, "mpi_cmp" },
	{ 0xe39b2ea5, "sha256" },
	{ 0x56470118, "__warn_printk" },
	{ 0x80d5e57a, "mpi_free" },
	{ 0xffeedf6a, "delayed_work_timer_fn" },
	{ 0xc07351b3, "__SCT__cond_resched" },
	{ 0x61e272c9, "sha256_final" },
	{ 0x606e9d01, "kmalloc_trace" },
	{ 0xdf36914b, "xa_find_after" },
	{ 0x754d539c, "strlen" },
	{ 0x7aa1756e, "kvfree" },
	{ 0xb5b54b34, "_raw_spin_unlock" },
	{ 0x99f2d00a, "sysfs_emit_at" },
	{ 0xe2c17b5d, "__SCT__might_resched" },
	{ 0x7a7caba8, "kmalloc_caches" },
	{ 0x2d3385d3, "system_wq" },
	{ 0x176238f7, "kobject_put" },
	{ 0x9060323f, "module_layout" },
};

MODULE_INFO(depends, "");

