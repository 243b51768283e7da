// SPDX-License-Identifier: GPL-2.0
/*
 * flow_fill PIN_DIR VIP_ADDR PORT N BACKEND_ID...
 *
 * Fill a running balancer's flow table (PIN_DIR/flows) with N TCP entries
 * for the IPv4 VIP VIP_ADDR:PORT, spread round robin over the backend ids
 * given (each entry with the generation and VIP id the backend's entry in
 * PIN_DIR/backends has now, so the datapath and xlbd count it as live).
 * Clients are 198.51.100.0/24 and 192.0.2.0/24 addresses with ports from
 * 1024 up: the entries are map contents only, no packet is sent. A test
 * needs a full table in a second, not 262144 handshakes. Prints how many
 * it wrote per backend id, "ID=COUNT ...".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <netinet/in.h>

#include "xlb_shared.h"

#define BATCH 4096
#define MAX_IDS 64

int main(int argc, char **argv)
{
	struct xlb_flow_key *keys = NULL;
	struct xlb_flow *vals = NULL;
	struct xlb_backend be[MAX_IDS];
	__u32 ids[MAX_IDS], counts[MAX_IDS] = {}, vip, n, done = 0, i;
	char path[512];
	int flows_fd, be_fd, n_ids, k, rc = 1;
	__u16 port;

	if (argc < 6 || argc - 5 > MAX_IDS) {
		fprintf(stderr, "usage: flow_fill PIN_DIR VIP_ADDR PORT N BACKEND_ID...\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[2], &vip) != 1) {
		fprintf(stderr, "flow_fill: %s: not an IPv4 address\n", argv[2]);
		return 2;
	}
	port = atoi(argv[3]);
	n = strtoul(argv[4], NULL, 10);
	n_ids = argc - 5;
	snprintf(path, sizeof(path), "%s/flows", argv[1]);
	flows_fd = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/backends", argv[1]);
	be_fd = bpf_obj_get(path);
	if (flows_fd < 0 || be_fd < 0) {
		fprintf(stderr, "flow_fill: %s/{flows,backends}: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (k = 0; k < n_ids; k++) {
		ids[k] = strtoul(argv[5 + k], NULL, 10);
		if (bpf_map_lookup_elem(be_fd, &ids[k], &be[k]) || !be[k].family) {
			fprintf(stderr, "flow_fill: backend id %u: no entry\n", ids[k]);
			return 1;
		}
	}
	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	if (!keys || !vals)
		goto out;
	while (done < n) {
		__u32 batch = n - done < BATCH ? n - done : BATCH;

		for (i = 0; i < batch; i++) {
			__u32 seq = done + i, host = seq / 60000, cport = 1024 + seq % 60000;
			struct xlb_flow_key *key = &keys[i];

			memset(key, 0, sizeof(*key));
			/* 198.51.100.0-255, then 192.0.2.0-255 */
			key->src.v4 = htonl((host < 256 ? 0xc6336400u : 0xc0000200u) | (host & 0xff));
			key->dst.v4 = vip;
			key->sport = htons(cport);
			key->dport = htons(port);
			key->proto = IPPROTO_TCP;
			key->family = XLB_FAMILY_V4;
			k = seq % n_ids;
			vals[i] = (struct xlb_flow){ .backend_id = ids[k], .backend_gen = be[k].gen,
						     .hash = seq, .vip_id = be[k].vip_id };
			counts[k]++;
		}
		if (bpf_map_update_batch(flows_fd, keys, vals, &batch, NULL)) {
			fprintf(stderr, "flow_fill: update: %s (after %u)\n", strerror(errno), done);
			goto out;
		}
		done += batch;
	}
	for (k = 0; k < n_ids; k++)
		printf("%s%u=%u", k ? " " : "", ids[k], counts[k]);
	printf("\n");
	rc = 0;
out:
	free(keys);
	free(vals);
	return rc;
}
