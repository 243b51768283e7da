/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface addresses over rtnetlink (libmnl). xlbd puts host-mode VIPs on
 * an interface (usually lo) and marks what it adds with the address
 * protocol IFA_PROTO = IFADDR_PROTO_XLB (Linux >= 6.1), so it can tell its
 * own addresses from the operator's after a restart or a crash, and only
 * ever removes its own.
 */
#ifndef XLB_LIB_IFADDR_H
#define XLB_LIB_IFADDR_H

#include <linux/types.h>
#include "xlb_shared.h"

/* 'x': no registry exists for address protocols; iproute2 shows 0x78 */
#define IFADDR_PROTO_XLB 0x78

struct if_vaddr {
	int ifindex;
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
	__u8 prefixlen;
	__u8 proto;		/* IFA_PROTO; 0 if the kernel gave none */
	union xlb_addr addr;
};

/* Called for every address of the dump; a non-zero return stops it and is
 * returned by ifaddr_dump. */
typedef int (*ifaddr_cb)(const struct if_vaddr *a, void *arg);

/* Every IPv4 and IPv6 address of every interface (ifindex 0) or of one. */
int ifaddr_dump(int ifindex, ifaddr_cb cb, void *arg);

/* Add a (with IFA_PROTO = a->proto when non-zero). -EEXIST if present. */
int ifaddr_add(const struct if_vaddr *a);

/* Remove a. -EADDRNOTAVAIL if it is not there. */
int ifaddr_del(const struct if_vaddr *a);

#endif
