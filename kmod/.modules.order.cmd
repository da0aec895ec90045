cmd_/work/main/kmod/modules.order := {   echo /work/main/kmod/ebroker.ko; :; } > /work/main/kmod/modules.order
