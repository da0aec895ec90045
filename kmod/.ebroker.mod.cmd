cmd_/work/main/kmod/ebroker.mod := printf '%s\n'   main.o pool.o sysfs.o driver.o | awk '!x[$$0]++ { print("/work/main/kmod/"$$0) }' > /work/main/kmod/ebroker.mod
