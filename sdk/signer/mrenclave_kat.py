#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known-answer MRENCLAVE for mrenclave_test.c, computed independently.

Builds the SGX measurement records (SDM Vol. 3D: ECREATE, EADD, EEXTEND) with
nothing but hashlib and struct, for the small enclave below, and prints the
SHA-256 digest in hex. mrenclave_test.c hard-codes that digest: if the C
library and this script disagree, one of them is wrong. Run:

    python3 sdk/signer/mrenclave_kat.py

The enclave (keep in sync with kat_enclave in mrenclave_test.c):
  SECS size 0x8000, SSA frame size 1
  offset 0x0000  TCS        extended, pattern(0x11)
  offset 0x1000  REG R-X    extended, pattern(0x22)
  offset 0x2000  REG RW-    extended, pattern(0x33)
  offset 0x7000  REG R--    added without EEXTEND
where pattern(seed)[i] = (i * 13 + seed) & 0xff for i in 0..4095.
"""
import hashlib
import struct

PAGE = 4096
BLOCK = 256

TAG_ECREATE = 0x0045544145524345  # "ECREATE\0"
TAG_EADD = 0x0000000044444145  # "EADD\0\0\0\0"
TAG_EEXTEND = 0x00444E4554584545  # "EEXTEND\0"

PT_TCS = 1 << 8
PT_REG = 2 << 8
R, W, X = 1, 2, 4


def pattern(seed):
    return bytes((i * 13 + seed) & 0xFF for i in range(PAGE))


def ecreate(sha, ssa_frame_size, size):
    rec = struct.pack("<QIQ44x", TAG_ECREATE, ssa_frame_size, size)
    assert len(rec) == 64
    sha.update(rec)


def eadd(sha, offset, flags):
    # The first 48 bytes of SECINFO: FLAGS, then reserved (zero) bytes.
    rec = struct.pack("<QQQ40x", TAG_EADD, offset, flags)
    assert len(rec) == 64
    sha.update(rec)


def eextend(sha, offset, page):
    for i in range(0, PAGE, BLOCK):
        rec = struct.pack("<QQ48x", TAG_EEXTEND, offset + i)
        assert len(rec) == 64
        sha.update(rec)
        sha.update(page[i : i + BLOCK])


def main():
    sha = hashlib.sha256()
    ecreate(sha, 1, 0x8000)
    for offset, flags, seed, extend in (
        (0x0000, PT_TCS, 0x11, True),
        (0x1000, PT_REG | R | X, 0x22, True),
        (0x2000, PT_REG | R | W, 0x33, True),
        (0x7000, PT_REG | R, 0x44, False),
    ):
        eadd(sha, offset, flags)
        if extend:
            eextend(sha, offset, pattern(seed))
    print(sha.hexdigest())


if __name__ == "__main__":
    main()
