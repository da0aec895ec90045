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
	{ 0x47978cc, "misc_deregister" },
	{ 0xad0dd4ad, "sysfs_remove_groups" },
	{ 0xbad3cecb, "sysfs_create_groups" },
	{ 0xcb2afe84, "kernel_kobj" },
	{ 0xba8fbd64, "_raw_spin_lock" },
	{ 0xbdfb6dbb, "__fentry__" },
	{ 0xe783e261, "sysfs_emit" },
	{ 0x92997ed8, "_printk" },
	{ 0xa19b956, "__stack_chk_fail" },
	{ 0x7d173e99, "__free_pages" },
	{ 0x23b4e0d7, "clear_page_rep" },
	{ 0x7cd8d75e, "page_offset_base" },
	{ 0x599fb41c, "kvmalloc_node" },
	{ 0x925493f, "clear_page_orig" },
	{ 0x9084b044, "clear_page_erms" },
	{ 0x944375db, "_totalram_pages" },
	{ 0x844c8938, "misc_register" },
	{ 0x744e0813, "param_ops_charp" },
	{ 0x5b8239ca, "__x86_return_thunk" },
	{ 0xab068b81, "kobject_create_and_add" },
	{ 0xe2d5255a, "strcmp" },
	{ 0x97651e6c, "vmemmap_base" },
	{ 0x11dd3e1e, "alloc_pages" },
	{ 0x56470118, "__warn_printk" },
	{ 0xc07351b3, "__SCT__cond_resched" },
	{ 0x7aa1756e, "kvfree" },
	{ 0x27864d57, "memparse" },
	{ 0xb5b54b34, "_raw_spin_unlock" },
	{ 0x176238f7, "kobject_put" },
	{ 0x9060323f, "module_layout" },
};

MODULE_INFO(depends, "");

