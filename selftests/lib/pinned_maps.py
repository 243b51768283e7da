# SPDX-License-Identifier: GPL-2.0
"""xlbd's pinned maps read from Python through the bpf syscall, for the
tests and benchmarks that check what the datapath really holds
(selftests/lib/fleet.py, selftests/bench/maglev_gone.py). The layouts are
include/xlb_shared.h's: change them here when they change there.

A VIP's entry in `vips` names its active table: ring_id (a slot of
`rings`, whose value is an inner map's id), ring_size and the region
flag. The inner map holds two tables of ring_size slots, the active one
first or second (XLB_VIP_F_RING_HI), one slot per 8 bytes (a 4-byte
array value takes 8), read by mmap. A slot's backend id is its low 16
bits (XLB_SLOT_BE); the high 16 are second chance's previous owner.
"""
import array
import ctypes
import mmap
import os
import struct

NR_BPF = {"x86_64": 321, "aarch64": 280, "armv7l": 386, "ppc64le": 361,
          "s390x": 351, "riscv64": 280}
BPF_MAP_LOOKUP_ELEM = 1
BPF_OBJ_GET = 7
BPF_MAP_GET_FD_BY_ID = 14
XLB_MAX_BACKENDS = 4096
XLB_FAMILY_V4, XLB_FAMILY_V6 = 4, 6
XLB_BE_F_PRESENT = 1
XLB_VIP_F_RING_HI = 1 << 4
VIP = struct.Struct("=IIIHBBHH")  # id, ring_id, ring_size, flags, encap, pad, gue_port, pad2
BACKEND = struct.Struct("=16sBBHI6s6sIHHI")  # addr, family, flags, mtu, ifindex, macs, gen, vip_id

libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(NR_BPF[os.uname().machine], cmd, buf, 128)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def obj_get(path):
    p = ctypes.create_string_buffer(path.encode())
    return bpf(BPF_OBJ_GET, struct.pack("=QII", ctypes.addressof(p), 0, 0))


def lookup(fd, key, size):
    """The value of key in map fd, or None."""
    k = ctypes.create_string_buffer(key, len(key))
    v = ctypes.create_string_buffer(size)
    try:
        bpf(BPF_MAP_LOOKUP_ELEM, struct.pack("=IIQQQ", fd, 0, ctypes.addressof(k),
                                             ctypes.addressof(v), 0))
    except FileNotFoundError:
        return None
    return v.raw


def active_table(rings_fd, vip):
    """Where the active table of vip (a VIP tuple) is: (map_id, size,
    base slot), or None when its slot of `rings` is empty."""
    _, ring_id, ring_size, flags = vip[:4]
    v = lookup(rings_fd, struct.pack("=I", ring_id), 4)
    if v is None:
        return None
    base = ring_size if flags & XLB_VIP_F_RING_HI else 0
    return struct.unpack("=I", v)[0], ring_size, base


def table_ids(map_id, size, base):
    """The backend id of each slot base..base+size-1 of the inner map."""
    fd = bpf(BPF_MAP_GET_FD_BY_ID, struct.pack("=III", map_id, 0, 0))
    try:
        end = (base + size) * 8
        length = (end + mmap.PAGESIZE - 1) // mmap.PAGESIZE * mmap.PAGESIZE
        with mmap.mmap(fd, length, mmap.MAP_SHARED, mmap.PROT_READ) as m:
            a = array.array("Q")
            a.frombytes(m[base * 8:end])
    finally:
        os.close(fd)
    return [x & 0xffff for x in a]
