cmd_/work/main/kmod/ebroker.o := ld -m elf_x86_64 -z noexecstack --no-warn-rwx-segments   -r -o /work/main/kmod/ebroker.o @/work/main/kmod/ebroker.mod 
