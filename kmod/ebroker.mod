/work/main/kmod/main.o
/work/main/kmod/pool.o
/work/main/kmod/sysfs.o
/work/main/kmod/driver.o
