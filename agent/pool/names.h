/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What may name a cluster prefix and a node in etcd: checked where the
 * config is read (config/parse_pool.c) and where keys are built
 * (pool/keys.c). A header of its own, without code to link, so the config
 * parser (and its fuzz target) needs nothing else of pool/.
 */
#ifndef XLB_POOL_NAMES_H
#define XLB_POOL_NAMES_H

#include <stdbool.h>
#include <string.h>

#define POOL_NODE_NAME_MAX 63	/* [A-Za-z0-9][A-Za-z0-9._-]* */
#define POOL_PREFIX_MAX 200	/* longest prefix: keys stay well under etcd's limits */

/* Is name usable as a node name (and so as the last part of a key)? */
static inline bool pool_node_name_valid(const char *name)
{
	size_t i;

	if (!name[0] || strlen(name) > POOL_NODE_NAME_MAX)
		return false;
	for (i = 0; name[i]; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

/* Is prefix usable: starts with '/', no trailing '/', no "//", printable
 * ASCII without spaces, at most POOL_PREFIX_MAX bytes? */
static inline bool pool_prefix_valid(const char *prefix)
{
	size_t i, n = strlen(prefix);

	if (n < 2 || n > POOL_PREFIX_MAX || prefix[0] != '/' || prefix[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++)
		if (prefix[i] <= ' ' || prefix[i] > '~' || (prefix[i] == '/' && prefix[i + 1] == '/'))
			return false;
	return true;
}

#endif
