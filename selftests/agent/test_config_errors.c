// SPDX-License-Identifier: GPL-2.0
/*
 * Every way xlb.conf can be wrong (agent/config/): a table of config
 * texts, each with the exact "FILE:LINE: message" the parser must give.
 * Most errors sit past line 1 so the line number is really checked. A
 * failed parse returns -EINVAL and no config; ASan/LSan check that the
 * half-built config was freed.
 *
 * test_config_errors_cover reads the parser's sources and checks that
 * every message format passed to p_err()/lex_err() is matched by at least
 * one case here, so a new message cannot go untested.
 */
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config/config.h"
#include "../lib/test.h"

/* Three lines that make forwarding VIPs in 203.0.113.0/24 and
 * 2001:db8:ffff::/48 valid. */
#define BASE                                                                                       \
	"allowed-prefixes { 203.0.113.0/24; 2001:db8:ffff::/48 }\n"                                \
	"encap-source 192.0.2.10 2001:db8::10\n"                                                   \
	"xdp interface eth0\n"
/* Two lines that make neighbors valid. */
#define BGP "router-id 192.0.2.10\nlocal-as 65010\n"
/* BASE + line 4 opens a VIP; its first statement is on line 5. */
#define VIP BASE "vip 203.0.113.10 tcp 80 {\n"
#define BE "    backend 198.51.100.11\n"
/* BGP + line 3 opens a neighbor; its first statement is on line 4. */
#define NB BGP "neighbor 192.0.2.1 {\n    remote-as 65000\n"
/* BASE + a local VIP on line 4. */
#define LOCAL BASE "vip 203.0.113.20 local {\n"

struct err_case {
	const char *name;
	const char *text;
	const char *want;
};

static const struct err_case cases[] = {
	/* lexer */
	{ "string_unterminated", NB "    description \"leaf1\n}\n",
	  "xlb.conf:5: unterminated string" },
	{ "string_unterminated_eof", "router-id 192.0.2.1\nvip 203.0.113.1 local { name \"x",
	  "xlb.conf:2: unterminated string" },
	{ "string_unterminated_crlf", "router-id 192.0.2.1\r\nlocal-as 1\r\nx \"abc\r\n",
	  "xlb.conf:3: unterminated string" },
	{ "string_escape", NB "    description \"a\\nb\"\n}\n",
	  "xlb.conf:5: unknown escape '\\n' in string (only \\\" and \\\\)" },
	/* found by fuzz_config: a tab went into the message as it was */
	{ "string_escape_tab", NB "    description \"a\\\tb\"\n}\n",
	  "xlb.conf:5: unknown escape '\\' followed by byte 0x09 in string (only \\\" and \\\\)" },
	{ "string_escape_high", NB "    description \"a\\\xc3\xa9\"\n}\n",
	  "xlb.conf:5: unknown escape '\\' followed by byte 0xc3 in string (only \\\" and \\\\)" },
	/* a second word after a password may be the rest of a key with a
	 * space: not quoted into the log */
	{ "password_second_word", NB "    password \"s3cret\" \"half-of-it\"\n}\n",
	  "xlb.conf:5: unexpected word after password (not shown: it may be part of the key; "
	  "quote the whole key)" },
	/* found by fuzz_config: a refused word is quoted in the message,
	 * and a string may hold a tab */
	{ "message_tab", "router-id 192.0.2.1\n\"x\ty\"\n",
	  "xlb.conf:2: expected a keyword at top level, got \"x?y\"" },
	{ "string_control", NB "    description \"a\001b\"\n}\n",
	  "xlb.conf:5: control character 0x01 in string" },
	{ "string_control_escaped", NB "    description \"a\\\001b\"\n}\n",
	  "xlb.conf:5: control character 0x01 in string" },
	{ "backslash", "\nrouter-id 192.0.2.1 \\ local-as 1\n",
	  "xlb.conf:2: '\\' outside a string must end the line" },
	{ "backslash_eof", "\nrouter-id 192.0.2.1 \\",
	  "xlb.conf:2: '\\' outside a string must end the line" },
	{ "control_char", "\nrouter-id\x7f 192.0.2.1\n", "xlb.conf:2: invalid character 0x7f" },
	{ "control_char_bell", "\n\n\a\n", "xlb.conf:3: invalid character 0x07" },

	/* blocks and statements */
	{ "vip_unterminated", VIP BE, "xlb.conf:4: unterminated vip block (no '}' before end of file)" },
	{ "neighbor_unterminated", NB "    passive\n",
	  "xlb.conf:3: unterminated neighbor block (no '}' before end of file)" },
	{ "bfd_unterminated", NB "    bfd {\n        interval 100ms\n",
	  "xlb.conf:5: unterminated bfd block (no '}' before end of file)" },
	{ "allowed_unterminated", "\nallowed-prefixes {\n    203.0.113.0/24\n",
	  "xlb.conf:2: unterminated allowed-prefixes block (no '}' before end of file)" },
	{ "stray_brace", "router-id 192.0.2.1\n}\n", "xlb.conf:2: unexpected '}' (no block is open)" },
	{ "stray_brace_after_block", VIP BE "}\n}\n", "xlb.conf:7: unexpected '}' (no block is open)" },
	{ "keyword_expected_string", "router-id 192.0.2.1\n\"router-id\" 192.0.2.1\n",
	  "xlb.conf:2: expected a keyword at top level, got \"router-id\"" },
	{ "keyword_expected_brace", VIP BE "    {\n}\n",
	  "xlb.conf:6: expected a keyword in vip block, got '{'" },
	{ "unknown_top", "router-id 192.0.2.1\nrouterid 192.0.2.1\n",
	  "xlb.conf:2: unknown keyword 'routerid' at top level" },
	{ "unknown_top_number", "router-id 192.0.2.1\n42\n",
	  "xlb.conf:2: unknown keyword '42' at top level" },
	{ "unknown_vip", VIP BE "    backnd 198.51.100.12\n}\n",
	  "xlb.conf:6: unknown keyword 'backnd' in vip block" },
	{ "unknown_neighbor", NB "    hold 9\n}\n",
	  "xlb.conf:5: unknown keyword 'hold' in neighbor block" },
	{ "uppercase_keyword", "\nRouter-ID 192.0.2.1\n",
	  "xlb.conf:2: unknown keyword 'Router-ID' at top level" },
	{ "local_backend", LOCAL "    backend 198.51.100.11\n}\n",
	  "xlb.conf:5: 'backend' is not allowed in a local vip" },
	{ "local_hash", LOCAL "    name r\n    hash source\n}\n",
	  "xlb.conf:6: 'hash' is not allowed in a local vip" },
	{ "local_encap", LOCAL "    encap gue\n}\n", "xlb.conf:5: 'encap' is not allowed in a local vip" },
	{ "local_ring_size", LOCAL "    ring-size 1009\n}\n",
	  "xlb.conf:5: 'ring-size' is not allowed in a local vip" },
	{ "local_min_healthy", LOCAL "    min-healthy 1\n}\n",
	  "xlb.conf:5: 'min-healthy' is not allowed in a local vip" },
	{ "forward_add_address", VIP BE "    add-address lo\n}\n",
	  "xlb.conf:6: 'add-address' is not allowed in a forwarding vip" },
	{ "add_address_slash", LOCAL "    add-address lo/1\n}\n",
	  "xlb.conf:5: add-address: 'lo/1' is not an interface name" },
	{ "add_address_long", LOCAL "    add-address abcdefghijklmnop\n}\n",
	  "xlb.conf:5: add-address: 'abcdefghijklmnop' is not an interface name" },
	{ "add_address_missing", LOCAL "    add-address\n}\n",
	  "xlb.conf:5: missing argument for add-address" },
	{ "duplicate_top", "router-id 192.0.2.1\nlocal-as 1\nrouter-id 192.0.2.2\n",
	  "xlb.conf:3: duplicate 'router-id' at top level (first on line 1)" },
	{ "duplicate_vip_stmt", VIP "    hash source\n" BE "    hash 5-tuple\n}\n",
	  "xlb.conf:7: duplicate 'hash' in vip block (first on line 5)" },
	{ "duplicate_neighbor_stmt", NB "    remote-as 65001\n}\n",
	  "xlb.conf:5: duplicate 'remote-as' in neighbor block (first on line 4)" },
	{ "trailing_number", BGP "neighbor 192.0.2.1 {\n    remote-as 65000 65001\n}\n",
	  "xlb.conf:4: unexpected '65001' after remote-as" },
	{ "trailing_flag", NB "    passive yes\n}\n", "xlb.conf:5: unexpected 'yes' after passive" },
	{ "trailing_after_block", NB "} vip\n", "xlb.conf:5: unexpected 'vip' after neighbor" },
	{ "trailing_encap_ipip", VIP "    encap ipip port 6080\n" BE "}\n",
	  "xlb.conf:5: unexpected 'port' after encap" },
	{ "lbrace_neighbor", BGP "neighbor 192.0.2.1\n{\n}\n",
	  "xlb.conf:3: expected '{' after neighbor address, got end of line" },
	{ "lbrace_vip", BASE "vip 203.0.113.10 tcp 80 backend 198.51.100.11\n",
	  "xlb.conf:4: expected '{' after vip, got 'backend'" },
	{ "lbrace_allowed", "\nallowed-prefixes 203.0.113.0/24\n",
	  "xlb.conf:2: expected '{' after allowed-prefixes, got '203.0.113.0/24'" },

	/* global statements */
	{ "router_id_zero", "\nrouter-id 0.0.0.0\n", "xlb.conf:2: router-id must not be 0.0.0.0" },
	{ "router_id_v6", "\nrouter-id 2001:db8::1\n",
	  "xlb.conf:2: router-id: '2001:db8::1' is not an IPv4 address" },
	{ "local_as_trans", "\nlocal-as 23456\n",
	  "xlb.conf:2: local-as 23456 is AS_TRANS (RFC 6793), not a real AS number" },
	{ "local_as_zero", "\nlocal-as 0\n", "xlb.conf:2: local-as 0 out of range 1..4294967295" },
	{ "local_as_big", "\nlocal-as 4294967296\n",
	  "xlb.conf:2: local-as 4294967296 out of range 1..4294967295" },
	{ "local_as_overflow", "\nlocal-as 99999999999999999999999\n",
	  "xlb.conf:2: local-as 99999999999999999999999 out of range 1..4294967295" },
	{ "local_as_word", "\nlocal-as AS65010\n", "xlb.conf:2: local-as: 'AS65010' is not a number" },
	{ "local_as_negative", "\nlocal-as -1\n", "xlb.conf:2: local-as: '-1' is not a number" },
	{ "local_as_quoted", "\nlocal-as \"65010\"\n",
	  "xlb.conf:2: local-as: \"65010\" is not a number" },
	{ "local_as_missing", "\nlocal-as\n", "xlb.conf:2: missing argument for local-as" },
	{ "local_as_missing_eof", "\nlocal-as", "xlb.conf:2: missing argument for local-as" },
	{ "local_as_missing_semi", "\nlocal-as; router-id 192.0.2.1\n",
	  "xlb.conf:2: missing argument for local-as" },
	{ "allowed_twice", "\nallowed-prefixes {\n    203.0.113.0/24\n    203.0.113.0/24 max 30\n}\n",
	  "xlb.conf:4: allowed-prefixes: 203.0.113.0/24 given twice" },
	{ "allowed_twice_blocks",
	  "allowed-prefixes { 2001:db8::/32 }\nallowed-prefixes { 2001:0db8::/32 }\n",
	  "xlb.conf:2: allowed-prefixes: 2001:db8::/32 given twice" },
	{ "allowed_trailing", "\nallowed-prefixes {\n    203.0.113.0/24 max 32 foo\n}\n",
	  "xlb.conf:3: unexpected 'foo' after allowed prefix" },
	{ "allowed_not_max", "\nallowed-prefixes { 203.0.113.0/24 min 32 }\n",
	  "xlb.conf:2: allowed-prefixes: 'min' is not one of max" },
	{ "allowed_max_short", "\nallowed-prefixes { 203.0.113.0/24 max 16 }\n",
	  "xlb.conf:2: allowed-prefixes max 16 out of range 24..32" },
	{ "allowed_max_long", "\nallowed-prefixes { 2001:db8::/32 max 129 }\n",
	  "xlb.conf:2: allowed-prefixes max 129 out of range 32..128" },
	{ "allowed_max_missing", "\nallowed-prefixes { 2001:db8::/32 max }\n",
	  "xlb.conf:2: missing argument for allowed-prefixes max" },
	{ "allowed_host_bits", "\nallowed-prefixes { 203.0.113.1/24 }\n",
	  "xlb.conf:2: allowed-prefixes: 203.0.113.1/24 has host bits set" },
	{ "allowed_host_bits_v6", "\nallowed-prefixes { 2001:db8::1/64 }\n",
	  "xlb.conf:2: allowed-prefixes: 2001:db8::1/64 has host bits set" },
	{ "allowed_len", "\nallowed-prefixes { 2001:db8::/129 }\n",
	  "xlb.conf:2: allowed-prefixes: prefix length 129 of 2001:db8::/129 out of range 0..128" },
	{ "allowed_len_v4", "\nallowed-prefixes { 10.0.0.0/33 }\n",
	  "xlb.conf:2: allowed-prefixes: prefix length 33 of 10.0.0.0/33 out of range 0..32" },
	{ "allowed_no_len", "\nallowed-prefixes { 203.0.113.0 }\n",
	  "xlb.conf:2: allowed-prefixes: '203.0.113.0' is not a prefix (ADDRESS/LENGTH)" },
	{ "allowed_bad_len", "\nallowed-prefixes { 203.0.113.0/2x }\n",
	  "xlb.conf:2: allowed-prefixes: '203.0.113.0/2x' is not a prefix (ADDRESS/LENGTH)" },
	{ "allowed_bad_addr", "\nallowed-prefixes { 203.0.113/24 }\n",
	  "xlb.conf:2: allowed-prefixes: '203.0.113/24' is not a prefix (ADDRESS/LENGTH)" },
	{ "encap_two_v4", "\nencap-source 192.0.2.1 192.0.2.2\n",
	  "xlb.conf:2: encap-source: two IPv4 addresses" },
	{ "encap_two_v6", "\nencap-source 2001:db8::1 2001:db8::2\n",
	  "xlb.conf:2: encap-source: two IPv6 addresses" },
	{ "encap_three", "\nencap-source 192.0.2.1 2001:db8::1 192.0.2.3\n",
	  "xlb.conf:2: unexpected '192.0.2.3' after encap-source" },
	{ "encap_not_addr", "\nencap-source eth0\n",
	  "xlb.conf:2: encap-source: 'eth0' is not an IP address" },
	{ "xdp_ifname", "\nxdp interface eth0123456789abcdef\n",
	  "xlb.conf:2: xdp interface: 'eth0123456789abcdef' is not an interface name (1 to 15 "
	  "characters, no '/', ':' or spaces)" },
	{ "xdp_ifname_slash", "\nxdp interface \"a/b\"\n",
	  "xlb.conf:2: xdp interface: 'a/b' is not an interface name (1 to 15 characters, no '/', "
	  "':' or spaces)" },
	{ "xdp_keyword", "\nxdp dev eth0\n", "xlb.conf:2: xdp: 'dev' is not one of interface" },
	{ "xdp_mode", "\nxdp interface eth0 mode offload\n",
	  "xlb.conf:2: xdp mode: 'offload' is not one of native, generic" },
	{ "xdp_mode_keyword", "\nxdp interface eth0 native\n",
	  "xlb.conf:2: xdp: 'native' is not one of mode" },
	{ "pin_path_relative", "\npin-path sys/fs/bpf/xlb\n",
	  "xlb.conf:2: pin-path: 'sys/fs/bpf/xlb' is not an absolute path" },
	{ "state_file_relative", "\nstate-file \"state\"\n",
	  "xlb.conf:2: state-file: \"state\" is not an absolute path" },
	{ "socket_relative", "\ncontrol-socket xlbd.sock\n",
	  "xlb.conf:2: control-socket: 'xlbd.sock' is not an absolute path" },
	{ "socket_owner", "\ncontrol-socket /run/xlbd.sock owner xlb\n",
	  "xlb.conf:2: control-socket: 'owner' is not one of group" },
	{ "socket_group_missing", "\ncontrol-socket /run/xlbd.sock group\n",
	  "xlb.conf:2: missing argument for control-socket group" },
	{ "flow_table_small", "\nflow-table 100\n",
	  "xlb.conf:2: flow-table 100 out of range 1024..268435456" },
	{ "metrics_keyword", "\nmetrics bind 127.0.0.1 port 9273\n",
	  "xlb.conf:2: metrics: 'bind' is not one of listen" },
	{ "metrics_missing", "\nmetrics\n", "xlb.conf:2: missing argument for metrics" },
	{ "metrics_not_addr", "\nmetrics listen localhost port 9273\n",
	  "xlb.conf:2: metrics listen: 'localhost' is not an IP address" },
	{ "metrics_no_port", "\nmetrics listen ::1\n",
	  "xlb.conf:2: metrics listen ::1: no port (metrics listen ADDR port N)" },
	{ "metrics_port_keyword", "\nmetrics listen 127.0.0.1 9273\n",
	  "xlb.conf:2: metrics listen: '9273' is not one of port" },
	{ "metrics_port_range", "\nmetrics listen 0.0.0.0 port 65536\n",
	  "xlb.conf:2: metrics port 65536 out of range 1..65535" },
	{ "metrics_port_missing", "\nmetrics listen 0.0.0.0 port\n",
	  "xlb.conf:2: missing argument for metrics port" },
	{ "metrics_twice", "metrics listen 127.0.0.1 port 9273\nmetrics listen ::1 port 9273\n",
	  "xlb.conf:2: duplicate 'metrics' at top level (first on line 1)" },
	{ "metrics_trailing", "\nmetrics listen 127.0.0.1 port 9273 tls\n",
	  "xlb.conf:2: unexpected 'tls' after metrics" },

	/* pool-state: PS opens the block on line 1, its statements from line 2 */
#define PS "pool-state etcd {\n"
#define PS_OK "    endpoints http://192.0.2.40:2379\n    prefix /xlb/prod\n"
	{ "pool_kind", "\npool-state zookeeper {\n}\n",
	  "xlb.conf:2: pool-state: 'zookeeper' is not one of etcd" },
	{ "pool_no_endpoints", PS "    prefix /xlb/prod\n}\n",
	  "xlb.conf:1: pool-state etcd has no endpoints" },
	{ "pool_no_prefix", PS "    endpoints http://192.0.2.40:2379\n}\n",
	  "xlb.conf:1: pool-state etcd has no prefix" },
	{ "pool_endpoints_missing", PS "    endpoints\n}\n",
	  "xlb.conf:2: missing argument for endpoints" },
	{ "pool_endpoint_number", PS "    endpoints 2379\n}\n", "xlb.conf:2: endpoints: expected a URL" },
	{ "pool_endpoint_scheme", PS "    endpoints grpc://192.0.2.40:2379\n}\n",
	  "xlb.conf:2: endpoints: 'grpc://192.0.2.40:2379': not an http:// or https:// URL" },
	{ "pool_endpoint_port", PS "    endpoints http://192.0.2.40:70000\n}\n",
	  "xlb.conf:2: endpoints: 'http://192.0.2.40:70000': the port must be 1..65535 (and no path)" },
	{ "pool_endpoint_path", PS "    endpoints http://192.0.2.40/v3\n}\n",
	  "xlb.conf:2: endpoints: 'http://192.0.2.40/v3': no path allowed (the API is at /v3/)" },
	{ "pool_endpoint_v6", PS "    endpoints http://[2001:db8::zz]:2379\n}\n",
	  "xlb.conf:2: endpoints: 'http://[2001:db8::zz]:2379': '2001:db8::zz' is not an IPv6 address" },
	{ "pool_endpoint_bracket", PS "    endpoints http://[2001:db8::1:2379\n}\n",
	  "xlb.conf:2: endpoints: 'http://[2001:db8::1:2379': missing ']'" },
	{ "pool_endpoint_host", PS "    endpoints http://:2379\n}\n",
	  "xlb.conf:2: endpoints: 'http://:2379': no host name or address" },
	{ "pool_endpoint_mixed", PS "    endpoints https://192.0.2.40 http://192.0.2.41\n}\n",
	  "xlb.conf:2: endpoints: all http:// or all https://, not both" },
	{ "pool_endpoint_twice", PS "    endpoints http://192.0.2.40 http://192.0.2.40:2379\n}\n",
	  "xlb.conf:2: endpoints: http://192.0.2.40:2379 given twice" },
	{ "pool_endpoints_many", PS "    endpoints http://a:1 http://a:2 http://a:3 http://a:4 "
	  "http://a:5 http://a:6 http://a:7 http://a:8 http://a:9 http://a:10 http://a:11 "
	  "http://a:12 http://a:13 http://a:14 http://a:15 http://a:16 http://a:17\n}\n",
	  "xlb.conf:2: endpoints: more than 16" },
	{ "pool_prefix", PS "    endpoints http://192.0.2.40\n    prefix /xlb/prod/\n}\n",
	  "xlb.conf:3: prefix '/xlb/prod/': must start with '/', not end with one, at most 200 "
	  "printable characters without spaces or '//'" },
	{ "pool_name", PS PS_OK "    name lb/1\n}\n",
	  "xlb.conf:4: name 'lb/1': letters, digits, '.', '_' and '-', starting with a letter or "
	  "digit, at most 63" },
	{ "pool_tls_missing", PS PS_OK "    tls\n}\n",
	  "xlb.conf:4: missing argument for tls (ca FILE, cert FILE key FILE)" },
	{ "pool_tls_twice", PS PS_OK "    tls ca /a ca /b\n}\n", "xlb.conf:4: tls: ca given twice" },
	{ "pool_tls_cert_alone", PS PS_OK "    tls cert /etc/xlb/c.pem\n}\n",
	  "xlb.conf:4: tls: cert and key go together" },
	{ "pool_tls_keyword", PS PS_OK "    tls crt /a\n}\n",
	  "xlb.conf:4: tls: 'crt' is not one of ca, cert, key" },
	{ "pool_tls_http", PS PS_OK "    tls ca /etc/xlb/ca.pem\n}\n",
	  "xlb.conf:4: tls: the endpoints are http://, not https://" },
	{ "pool_user_space", PS PS_OK "    user \"x lb\" password-file /p\n}\n",
	  "xlb.conf:4: user: an etcd user name without spaces" },
	{ "pool_user_no_password", PS PS_OK "    user xlb\n}\n",
	  "xlb.conf:4: user xlb: no password-file (user NAME password-file FILE)" },
	{ "pool_password_relative", PS PS_OK "    user xlb password-file etcd.pw\n}\n",
	  "xlb.conf:4: password-file: 'etcd.pw' is not an absolute path" },
	{ "pool_threshold", PS PS_OK "    depool-threshold 50%\n}\n",
	  "xlb.conf:4: depool-threshold: '50%' is not a fraction 0..1 (0.5, 0.25, 1)" },
	{ "pool_threshold_missing", PS PS_OK "    depool-threshold\n}\n",
	  "xlb.conf:4: missing argument for depool-threshold" },
	{ "pool_unknown", PS PS_OK "    lease 10s\n}\n",
	  "xlb.conf:4: unknown keyword 'lease' in pool-state block" },
	{ "pool_twice", PS PS_OK "}\n" PS PS_OK "}\n",
	  "xlb.conf:5: duplicate 'pool-state' at top level (first on line 1)" },
#undef PS
#undef PS_OK

	/* neighbor */
	{ "neighbor_not_addr", BGP "neighbor leaf1 {\n}\n",
	  "xlb.conf:3: neighbor: 'leaf1' is not an IP address" },
	{ "neighbor_duplicate", BGP "neighbor 192.0.2.1 { remote-as 1 }\nneighbor 192.0.2.1 {\n}\n",
	  "xlb.conf:4: duplicate neighbor 192.0.2.1 (first on line 3)" },
	{ "neighbor_duplicate_v6",
	  BGP "neighbor 2001:db8::1 { remote-as 1 }\n\nneighbor 2001:0db8:0::1 { remote-as 1 }\n",
	  "xlb.conf:5: duplicate neighbor 2001:db8::1 (first on line 3)" },
	{ "neighbor_no_remote_as", BGP "neighbor 192.0.2.1 {\n    passive\n}\n",
	  "xlb.conf:3: neighbor 192.0.2.1 has no remote-as" },
	{ "remote_as_trans", BGP "neighbor 192.0.2.1 {\n    remote-as 23456\n}\n",
	  "xlb.conf:4: remote-as 23456 is AS_TRANS (RFC 6793), not a real AS number" },
	{ "remote_as_missing", BGP "neighbor 192.0.2.1 {\n    remote-as\n}\n",
	  "xlb.conf:4: missing argument for remote-as" },
	{ "remote_as_missing_brace", BGP "neighbor 192.0.2.1 { remote-as }\n",
	  "xlb.conf:3: missing argument for remote-as" },
	{ "hold_time_1", NB "    hold-time 1\n}\n",
	  "xlb.conf:5: hold-time 1s is not allowed (0 or 3..65535 seconds)" },
	{ "hold_time_2", NB "    hold-time 2s\n}\n",
	  "xlb.conf:5: hold-time 2s is not allowed (0 or 3..65535 seconds)" },
	{ "hold_time_big", NB "    hold-time 65536\n}\n",
	  "xlb.conf:5: hold-time 65536 out of range 0..65535 seconds" },
	/* one range message, whichever form the value takes */
	{ "hold_time_big_unit", NB "    hold-time 19h\n}\n",
	  "xlb.conf:5: hold-time 19h out of range 0..65535 seconds" },
	{ "hold_time_ms", NB "    hold-time 1500ms\n}\n",
	  "xlb.conf:5: hold-time 1500ms is not a whole number of seconds" },
	{ "bom_inside", "router-id 192.0.2.1\nlocal-as 1\n\xef\xbb\xbfrouter-id 192.0.2.1\n",
	  "xlb.conf:3: a UTF-8 byte-order mark (EF BB BF) inside the file (only its first bytes "
	  "may be one: files joined together?)" },
	{ "hold_time_word", NB "    hold-time soon\n}\n",
	  "xlb.conf:5: hold-time: 'soon' is not a duration" },
	{ "password_empty", NB "    password \"\"\n}\n", "xlb.conf:5: password must not be empty" },
	{ "password_long", NB "    password "
			      "\"123456789012345678901234567890123456789012345678901234567890"
			      "123456789012345678901\"\n}\n",
	  "xlb.conf:5: password longer than 80 bytes (TCP-MD5 limit)" },
	{ "port_zero", NB "    port 0\n}\n", "xlb.conf:5: port 0 out of range 1..65535" },
	{ "port_big", NB "    port 65536\n}\n", "xlb.conf:5: port 65536 out of range 1..65535" },
	{ "local_address_family", NB "    local-address 2001:db8::10\n}\n",
	  "xlb.conf:5: local-address 2001:db8::10 is not of the same family as neighbor 192.0.2.1" },
	{ "multihop_zero", NB "    multihop 0\n}\n", "xlb.conf:5: multihop 0 out of range 1..255" },
	{ "drain_no_unit", NB "    drain 5\n}\n",
	  "xlb.conf:5: drain: '5' has no unit (ms, s, m or h)" },
	{ "bfd_keyword_expected", NB "    bfd { \"interval\" 100ms }\n}\n",
	  "xlb.conf:5: expected a keyword in bfd block, got \"interval\"" },
	{ "bfd_unknown", NB "    bfd { interval 100ms detect 3 }\n}\n",
	  "xlb.conf:5: unknown keyword 'detect' in bfd block" },
	{ "bfd_duplicate", NB "    bfd {\n        interval 100ms\n        interval 200ms\n    }\n}\n",
	  "xlb.conf:7: duplicate 'interval' in bfd block (first on line 6)" },
	{ "bfd_multiplier_zero", NB "    bfd { multiplier 0 }\n}\n",
	  "xlb.conf:5: bfd multiplier 0 out of range 1..255" },
	{ "bfd_multiplier_big", NB "    bfd { multiplier 256 }\n}\n",
	  "xlb.conf:5: bfd multiplier 256 out of range 1..255" },
	{ "bfd_interval_short", NB "    bfd { interval 5ms }\n}\n",
	  "xlb.conf:5: bfd interval 5ms out of range 10ms..1m" },
	{ "bfd_min_rx_short", NB "    bfd { min-rx 9ms }\n}\n",
	  "xlb.conf:5: bfd min-rx 9ms out of range 10ms..1m" },
	{ "bfd_trailing", NB "    bfd { multiplier 3 } x\n}\n", "xlb.conf:5: unexpected 'x' after bfd" },
	{ "bfd_twice", NB "    bfd\n    bfd { multiplier 4 }\n}\n",
	  "xlb.conf:6: duplicate 'bfd' in neighbor block (first on line 5)" },

	/* vip */
	{ "vip_not_addr", BASE "vip www tcp 80 {\n", "xlb.conf:4: vip: 'www' is not an IP address" },
	{ "vip_proto", BASE "vip 203.0.113.10 sctp 80 {\n" BE "}\n",
	  "xlb.conf:4: vip: 'sctp' is not one of tcp, udp, local" },
	{ "vip_proto_missing", BASE "vip 203.0.113.10 {\n" BE "}\n",
	  "xlb.conf:4: missing argument for vip" },
	{ "vip_port_name", BASE "vip 203.0.113.10 tcp http {\n" BE "}\n",
	  "xlb.conf:4: vip port: 'http' is not a port number or 'all'" },
	{ "vip_port_zero", BASE "vip 203.0.113.10 tcp 0 {\n" BE "}\n",
	  "xlb.conf:4: vip port 0 out of range 1..65535" },
	{ "vip_port_big", BASE "vip 203.0.113.10 udp 65536 {\n" BE "}\n",
	  "xlb.conf:4: vip port 65536 out of range 1..65535" },
	{ "vip_port_missing", BASE "vip 203.0.113.10 udp {\n" BE "}\n",
	  "xlb.conf:4: missing argument for vip port" },
	{ "vip_local_proto", BASE "vip 203.0.113.20 local udp 53 {\n}\n",
	  "xlb.conf:4: a local vip has no protocol or port" },
	{ "vip_proto_local", BASE "vip 203.0.113.20 udp 53 local {\n}\n",
	  "xlb.conf:4: a local vip has no protocol or port" },
	{ "vip_duplicate", VIP BE "}\nvip 203.0.113.10 tcp 80 {\n" BE "}\n",
	  "xlb.conf:7: duplicate vip 203.0.113.10:80/tcp (first on line 4)" },
	{ "vip_duplicate_v6_all",
	  BASE "vip 2001:db8:ffff::1 udp all {\n" BE "}\nvip 2001:db8:ffff:0::1 udp all {\n" BE
	       "}\n",
	  "xlb.conf:7: duplicate vip [2001:db8:ffff::1]:*/udp (first on line 4)" },
	{ "vip_duplicate_local", LOCAL "}\nvip 203.0.113.20 local {\n}\n",
	  "xlb.conf:6: duplicate vip 203.0.113.20/local (first on line 4)" },
	{ "vip_local_shares_address", LOCAL "}\nvip 203.0.113.20 udp 53 {\n" BE "}\n",
	  "xlb.conf:6: vip 203.0.113.20:53/udp shares its address with vip 203.0.113.20/local "
	  "(line 4): a local vip's address must be its own" },
	{ "vip_no_backends", VIP "    name web\n}\n",
	  "xlb.conf:4: vip 203.0.113.10:80/tcp has no backends" },
	{ "vip_name_invalid", VIP "    name \"dns v4\"\n" BE "}\n",
	  "xlb.conf:5: name: 'dns v4' is not a valid name (a letter, then letters, digits, '.', "
	  "'_' or '-'; at most 63)" },
	{ "vip_name_digit", VIP "    name 4dns\n" BE "}\n",
	  "xlb.conf:5: name: '4dns' is not a valid name (a letter, then letters, digits, '.', "
	  "'_' or '-'; at most 63)" },
	{ "vip_name_duplicate", VIP "    name web\n" BE "}\nvip 203.0.113.10 tcp 443 {\n" BE
				"    name web\n}\n",
	  "xlb.conf:10: duplicate vip name 'web' (first on line 4)" },
	{ "hash_choice", VIP "    hash src\n" BE "}\n",
	  "xlb.conf:5: hash: 'src' is not one of 5-tuple, source" },
	{ "hash_quoted", VIP "    hash \"source\"\n" BE "}\n",
	  "xlb.conf:5: hash: \"source\" must not be quoted" },
	{ "encap_choice", VIP "    encap fou\n" BE "}\n",
	  "xlb.conf:5: encap: 'fou' is not one of ipip, gue" },
	{ "encap_gue_keyword", VIP "    encap gue 6080\n" BE "}\n",
	  "xlb.conf:5: encap gue: '6080' is not one of port" },
	{ "encap_gue_port", VIP "    encap gue port 0\n" BE "}\n",
	  "xlb.conf:5: encap gue port 0 out of range 1..65535" },
	{ "second_chance_ipip", VIP "    encap ipip\n    second-chance on\n" BE "}\n",
	  "xlb.conf:6: second-chance needs encap gue: the hop travels in the GUE header, IP in IP "
	  "has no room for it" },
	{ "second_chance_default_encap", VIP BE "    second-chance on keep 10m\n}\n",
	  "xlb.conf:6: second-chance needs encap gue: the hop travels in the GUE header, IP in IP "
	  "has no room for it" },
	{ "second_chance_udp", BASE "vip 203.0.113.10 udp 53 {\n    encap gue\n"
	  "    second-chance on\n" BE "}\n",
	  "xlb.conf:6: second-chance is for tcp vips: a backend has no connection to look up for "
	  "udp" },
	{ "second_chance_word", VIP "    encap gue\n    second-chance yes\n" BE "}\n",
	  "xlb.conf:6: second-chance: 'yes' is not one of on, off" },
	{ "second_chance_keep_word", VIP "    encap gue\n    second-chance on for 1h\n" BE "}\n",
	  "xlb.conf:6: second-chance: 'for' where only 'keep DURATION' may follow" },
	{ "second_chance_keep_short", VIP "    encap gue\n    second-chance on keep 500ms\n" BE
	  "}\n", "xlb.conf:6: second-chance keep 500ms out of range 1s..168h" },
	{ "second_chance_local", LOCAL "    second-chance off\n}\n",
	  "xlb.conf:5: 'second-chance' is not allowed in a local vip" },
	{ "ring_not_prime", VIP "    ring-size 65536\n" BE "}\n",
	  "xlb.conf:5: ring-size 65536 is not prime" },
	{ "ring_big", VIP "    ring-size 4194305\n" BE "}\n",
	  "xlb.conf:5: ring-size 4194305 out of range 1..4194304" },
	{ "ring_small", VIP "    ring-size 101\n" BE "    backend 198.51.100.12\n}\n",
	  "xlb.conf:5: ring-size 101 is too small for 2 backends (needs at least 200)" },
	{ "min_healthy_zero", VIP "    min-healthy 0\n" BE "}\n",
	  "xlb.conf:5: min-healthy 0 out of range 1..4095" },
	{ "min_healthy_more", VIP BE "    backend 198.51.100.12\n    min-healthy 3\n}\n",
	  "xlb.conf:7: min-healthy 3 is more than the 2 backends" },
	{ "hold_down_no_unit", VIP "    hold-down 10\n" BE "}\n",
	  "xlb.conf:5: hold-down: '10' has no unit (ms, s, m or h)" },
	{ "hold_down_bad", VIP "    hold-down 1.5s\n" BE "}\n",
	  "xlb.conf:5: hold-down: '1.5s' is not a duration" },
	{ "hold_down_unit", VIP "    hold-down 10sec\n" BE "}\n",
	  "xlb.conf:5: hold-down: '10sec' is not a duration" },
	{ "hold_down_long", VIP "    hold-down 2h\n" BE "}\n",
	  "xlb.conf:5: hold-down 2h out of range 0s..1h" },
	{ "hold_down_overflow", VIP "    hold-down 99999999999999999999h\n" BE "}\n",
	  "xlb.conf:5: hold-down 99999999999999999999h out of range 0s..1h" },
	{ "hold_down_u32", VIP "    hold-down 4294968s\n" BE "}\n",
	  "xlb.conf:5: hold-down 4294968s out of range 0s..1h" },
	{ "med_big", VIP "    med 4294967296\n" BE "}\n",
	  "xlb.conf:5: med 4294967296 out of range 0..4294967295" },
	{ "local_pref_word", VIP "    local-pref high\n" BE "}\n",
	  "xlb.conf:5: local-pref: 'high' is not a number" },
	{ "prepend_big", VIP "    prepend 33\n" BE "}\n", "xlb.conf:5: prepend 33 out of range 0..32" },
	{ "next_hop_family", VIP "    next-hop 2001:db8::10\n" BE "}\n",
	  "xlb.conf:5: next-hop 2001:db8::10 is not of the same family as vip 203.0.113.10" },
	{ "next_hop_word", VIP "    next-hop me\n" BE "}\n",
	  "xlb.conf:5: next-hop: 'me' is not an IP address" },
	{ "community_missing", VIP "    community\n" BE "}\n",
	  "xlb.conf:5: missing argument for community" },
	{ "community_part", VIP "    community 65000:1 65536:1\n" BE "}\n",
	  "xlb.conf:5: community: '65536:1' is not AS:VALUE (each 0..65535)" },
	{ "community_one_part", VIP "    community 65000\n" BE "}\n",
	  "xlb.conf:5: community: '65000' is not AS:VALUE (each 0..65535)" },
	{ "community_three_parts", VIP "    community 1:2:3\n" BE "}\n",
	  "xlb.conf:5: community: '1:2:3' is not AS:VALUE (each 0..65535)" },
	{ "community_quoted", VIP "    community \"1:2\"\n" BE "}\n",
	  "xlb.conf:5: community: \"1:2\" must not be quoted" },
	{ "community_twice", VIP "    community 65000:1\n" BE "    community 65000:2 65000:1\n}\n",
	  "xlb.conf:7: community 65000:1 given twice" },
	{ "large_community_missing", VIP "    large-community\n" BE "}\n",
	  "xlb.conf:5: missing argument for large-community" },
	{ "large_community_part", VIP "    large-community 4294967296:1:1\n" BE "}\n",
	  "xlb.conf:5: large-community: '4294967296:1:1' is not GLOBAL:LOCAL1:LOCAL2 (each "
	  "0..4294967295)" },
	{ "large_community_two_parts", VIP "    large-community 1:2\n" BE "}\n",
	  "xlb.conf:5: large-community: '1:2' is not GLOBAL:LOCAL1:LOCAL2 (each 0..4294967295)" },
	{ "large_community_twice", VIP "    large-community 1:2:3 1:2:3\n" BE "}\n",
	  "xlb.conf:5: large-community 1:2:3 given twice" },
	{ "backend_duplicate", VIP BE "    backend 198.51.100.12\n    backend 198.51.100.11 weight 5\n}\n",
	  "xlb.conf:7: duplicate backend 198.51.100.11 in vip 203.0.113.10:80/tcp (first on line 5)" },
	{ "backend_weight_big", VIP "    backend 198.51.100.11 weight 1000001\n}\n",
	  "xlb.conf:5: backend weight 1000001 out of range 0..1000000" },
	{ "backend_weight_keyword", VIP "    backend 198.51.100.11 wieght 1\n}\n",
	  "xlb.conf:5: backend: 'wieght' is not one of weight" },
	{ "backend_not_addr", VIP "    backend web1\n}\n",
	  "xlb.conf:5: backend: 'web1' is not an IP address" },
	{ "backend_prefix", VIP "    backend 198.51.100.0/24\n}\n",
	  "xlb.conf:5: backend: '198.51.100.0/24' is not an IP address" },

	/* health */
	{ "health_kind", VIP "    health ping\n" BE "}\n",
	  "xlb.conf:5: health: 'ping' is not one of tcp, http, https, dns, exec" },
	{ "health_missing", VIP "    health\n" BE "}\n", "xlb.conf:5: missing argument for health" },
	{ "health_twice", VIP "    health tcp\n" BE "    health tcp port 81\n}\n",
	  "xlb.conf:7: duplicate 'health' in vip block (first on line 5)" },
	{ "health_unknown", VIP "    health dns query example.org path /\n" BE "}\n",
	  "xlb.conf:5: unknown keyword 'path' in health dns" },
	{ "health_insecure_http", VIP "    health http insecure\n" BE "}\n",
	  "xlb.conf:5: unknown keyword 'insecure' in health http" },
	{ "health_exec_port", VIP "    health exec \"/bin/true\" port 5\n" BE "}\n",
	  "xlb.conf:5: unknown keyword 'port' in health exec" },
	{ "health_option_quoted", VIP "    health tcp \"rise\" 2\n" BE "}\n",
	  "xlb.conf:5: health tcp: \"rise\" must not be quoted" },
	{ "health_duplicate", VIP "    health tcp rise 2 rise 3\n" BE "}\n",
	  "xlb.conf:5: duplicate 'rise' in health tcp" },
	{ "health_interval_short", VIP "    health tcp interval 50ms\n" BE "}\n",
	  "xlb.conf:5: health interval 50ms out of range 100ms..1h" },
	{ "health_timeout_short", VIP "    health tcp timeout 5ms\n" BE "}\n",
	  "xlb.conf:5: health timeout 5ms out of range 10ms..1h" },
	{ "health_rise_zero", VIP "    health tcp rise 0\n" BE "}\n",
	  "xlb.conf:5: health rise 0 out of range 1..100" },
	{ "health_fall_big", VIP "    health tcp fall 101\n" BE "}\n",
	  "xlb.conf:5: health fall 101 out of range 1..100" },
	{ "health_port_zero", VIP "    health tcp port 0\n" BE "}\n",
	  "xlb.conf:5: health port 0 out of range 1..65535" },
	{ "health_address", VIP "    health tcp address localhost\n" BE "}\n",
	  "xlb.conf:5: health address: 'localhost' is not an IP address" },
	{ "health_fast_longer", VIP "    health tcp interval 1s fast-interval 2s\n" BE "}\n",
	  "xlb.conf:5: health fast-interval 2s is longer than interval 1s" },
	{ "health_fast_longer_default", VIP "    health tcp fast-interval 1500ms\n" BE "}\n",
	  "xlb.conf:5: health fast-interval 1500ms is longer than interval 1s" },
	{ "health_timeout_equal", VIP "    health tcp interval 1s timeout 1s\n" BE "}\n",
	  "xlb.conf:5: health timeout 1s must be shorter than interval 1s" },
	{ "health_timeout_default_interval", VIP "    health tcp timeout 2s\n" BE "}\n",
	  "xlb.conf:5: health timeout 2s must be shorter than interval 1s" },
	/* watch-socket, watch-pidfile: local vips only */
	{ "watch_socket_forward", VIP "    health dns query x watch-socket\n" BE "}\n",
	  "xlb.conf:5: health watch-socket: only on a local vip (the service runs on this host)" },
	{ "watch_pidfile_forward", VIP "    health tcp watch-pidfile /run/x.pid\n" BE "}\n",
	  "xlb.conf:5: health watch-pidfile: only on a local vip (the service runs on this host)" },
	{ "watch_socket_proto", LOCAL "    health dns query x watch-socket 53/sctp\n}\n",
	  "xlb.conf:5: health watch-socket '53/sctp': protocol 'sctp' is not tcp or udp" },
	{ "watch_socket_v6_bare", LOCAL "    health dns query x watch-socket 2001:db8::1:53/udp\n}\n",
	  "xlb.conf:5: health watch-socket '2001:db8::1:53/udp': an IPv6 address needs "
	  "[ADDRESS]:PORT" },
	{ "watch_socket_v6_unclosed", LOCAL "    health dns query x watch-socket [2001:db8::1/udp\n}\n",
	  "xlb.conf:5: health watch-socket '[2001:db8::1/udp': an IPv6 address needs "
	  "[ADDRESS]:PORT" },
	{ "watch_socket_v6_bad", LOCAL "    health dns query x watch-socket [192.0.2.1]:53/udp\n}\n",
	  "xlb.conf:5: health watch-socket '[192.0.2.1]:53/udp': '192.0.2.1' is not an IPv6 "
	  "address" },
	{ "watch_socket_v4_bad", LOCAL "    health dns query x watch-socket 1.2.3:53/udp\n}\n",
	  "xlb.conf:5: health watch-socket '1.2.3:53/udp': '1.2.3' is not an IPv4 address, [IPv6] "
	  "or *" },
	{ "watch_socket_port_zero", LOCAL "    health dns query x watch-socket *:0/udp\n}\n",
	  "xlb.conf:5: health watch-socket '*:0/udp': port '0' is not 1..65535" },
	{ "watch_socket_port_big", LOCAL "    health dns query x watch-socket 65536/tcp\n}\n",
	  "xlb.conf:5: health watch-socket '65536/tcp': port '65536' is not 1..65535" },
	{ "watch_socket_port_empty", LOCAL "    health dns query x watch-socket *:/tcp\n}\n",
	  "xlb.conf:5: health watch-socket '*:/tcp': port '' is not 1..65535" },
	{ "watch_socket_port_sign", LOCAL "    health dns query x watch-socket +53/tcp\n}\n",
	  "xlb.conf:5: health watch-socket '+53/tcp': port '+53' is not 1..65535" },
	{ "watch_socket_too_long", LOCAL "    health dns query x watch-socket "
	  "[2001:0db8:0000:0000:0000:0000:0000:0001]:53/udpudpudpudpudpudpudpudpudpudpudpudpudpudp"
	  "udpudpudp\n}\n",
	  "xlb.conf:5: health watch-socket '[2001:0db8:0000:0000:0000:0000:0000:0001]:53/"
	  "udpudpudpudpudpudpudpudpudpudpudpudpudpudpudpudpudp': too long" },
	{ "watch_socket_twice", LOCAL "    health dns query x port 53 watch-socket "
	  "watch-socket 203.0.113.20:53/udp\n}\n",
	  "xlb.conf:5: health watch-socket 203.0.113.20:53/udp given twice" },
	{ "watch_socket_many", LOCAL "    health dns query x watch-socket 1/udp watch-socket 2/udp "
	  "watch-socket 3/udp watch-socket 4/udp watch-socket 5/udp\n}\n",
	  "xlb.conf:5: health watch-socket: more than 4 sockets" },
	{ "watch_socket_exec", LOCAL "    health exec \"/bin/true\" watch-socket\n}\n",
	  "xlb.conf:5: health exec: watch-socket needs PORT/PROTO (an exec check has no port of "
	  "its own)" },
	{ "watch_pidfile_relative", LOCAL "    health tcp port 53 watch-pidfile run/x.pid\n}\n",
	  "xlb.conf:5: health watch-pidfile: 'run/x.pid' is not an absolute path" },
	{ "watch_pidfile_twice", LOCAL "    health tcp port 53 watch-pidfile /a watch-pidfile /b\n}\n",
	  "xlb.conf:5: duplicate 'watch-pidfile' in health tcp" },
	{ "health_path", VIP "    health http path healthz\n" BE "}\n",
	  "xlb.conf:5: health path: 'healthz' must start with '/' and have no spaces" },
	{ "health_path_space", VIP "    health http path \"/a b\"\n" BE "}\n",
	  "xlb.conf:5: health path: '/a b' must start with '/' and have no spaces" },
	{ "health_host", VIP "    health https host \"a b\"\n" BE "}\n",
	  "xlb.conf:5: health host: 'a b' is not a host name" },
	{ "health_host_empty", VIP "    health https host \"\"\n" BE "}\n",
	  "xlb.conf:5: health host: '' is not a host name" },
	{ "health_status_twice", VIP "    health http status 200 204 200\n" BE "}\n",
	  "xlb.conf:5: health status 200 given twice" },
	{ "health_status_many", VIP "    health http status 200 201 202 203 204 205 206 207 208\n" BE
				"}\n",
	  "xlb.conf:5: health status: more than 8 codes" },
	{ "health_status_range", VIP "    health http status 200 600\n" BE "}\n",
	  "xlb.conf:5: health status 600 out of range 100..599" },
	{ "health_status_word", VIP "    health http status ok\n" BE "}\n",
	  "xlb.conf:5: health status: 'ok' is not a number" },
	{ "health_expect_empty", VIP "    health http expect \"\"\n" BE "}\n",
	  "xlb.conf:5: health expect: empty text" },
	{ "health_query_space", VIP "    health dns query \"exa mple.org\"\n" BE "}\n",
	  "xlb.conf:5: health query: 'exa mple.org' is not a domain name" },
	{ "health_query_empty_label", VIP "    health dns query a..b\n" BE "}\n",
	  "xlb.conf:5: health query: 'a..b' is not a domain name" },
	{ "health_query_missing", VIP "    health dns type A\n" BE "}\n",
	  "xlb.conf:5: health dns needs 'query'" },
	{ "health_type", VIP "    health dns query example.org type AXFR\n" BE "}\n",
	  "xlb.conf:5: health type: 'AXFR' is not one of A, AAAA, NS, SOA, MX, TXT, CNAME, PTR, "
	  "SRV or a number" },
	{ "health_type_zero", VIP "    health dns query example.org type 0\n" BE "}\n",
	  "xlb.conf:5: health type 0 out of range 1..65535" },
	{ "health_type_missing", VIP "    health dns query example.org type\n" BE "}\n",
	  "xlb.conf:5: missing argument for health type" },
	{ "health_rcode", VIP "    health dns query example.org rcode FORMERR\n" BE "}\n",
	  "xlb.conf:5: health rcode: 'FORMERR' is not one of NOERROR, NXDOMAIN, SERVFAIL, "
	  "REFUSED or a number" },
	{ "health_rcode_big", VIP "    health dns query example.org rcode 16\n" BE "}\n",
	  "xlb.conf:5: health rcode 16 out of range 0..15" },
	{ "health_tcp_all_ports", BASE "vip 203.0.113.10 tcp all {\n" BE "    health tcp\n}\n",
	  "xlb.conf:6: health tcp needs 'port' on an all-ports vip" },
	{ "health_http_all_ports", BASE "vip 203.0.113.10 tcp all {\n" BE "    health http\n}\n",
	  "xlb.conf:6: health http needs 'port' on an all-ports vip" },
	{ "health_https_local", LOCAL "    health https path /\n}\n",
	  "xlb.conf:5: health https needs 'port' on a local vip" },
	{ "health_exec_missing", LOCAL "    health exec\n}\n",
	  "xlb.conf:5: missing argument for health exec" },
	{ "health_exec_empty", LOCAL "    health exec \"\"\n}\n", "xlb.conf:5: health exec: empty command" },
	{ "health_user", LOCAL "    health exec \"/bin/true\" user \"no body\"\n}\n",
	  "xlb.conf:5: health user: 'no body' is not a user name" },
	{ "health_user_dash", LOCAL "    health exec /bin/true user -x\n}\n",
	  "xlb.conf:5: health user: '-x' is not a user name" },

	/* checks over the whole file */
	{ "neighbor_needs_router_id", "local-as 65010\nneighbor 192.0.2.1 { remote-as 65000 }\n",
	  "xlb.conf:2: neighbor 192.0.2.1 needs router-id" },
	{ "neighbor_needs_local_as", "router-id 192.0.2.10\n\nneighbor 2001:db8::1 { remote-as 1 }\n",
	  "xlb.conf:3: neighbor 2001:db8::1 needs local-as" },
	{ "no_allowed_prefixes",
	  "encap-source 192.0.2.10\nxdp interface eth0\nvip 203.0.113.10 tcp 80 { backend "
	  "198.51.100.1 }\n",
	  "xlb.conf:3: no allowed-prefixes: refusing to announce anything" },
	{ "no_allowed_prefixes_local", "\n\nvip 203.0.113.20 local { }\n",
	  "xlb.conf:3: no allowed-prefixes: refusing to announce anything" },
	{ "vip_outside", BASE "vip 198.51.100.5 tcp 80 {\n" BE "}\n",
	  "xlb.conf:4: vip 198.51.100.5/32 is outside allowed-prefixes" },
	{ "vip_outside_max",
	  "allowed-prefixes { 203.0.113.0/24 max 24 }\n\nvip 203.0.113.20 local {\n}\n",
	  "xlb.conf:3: vip 203.0.113.20/32 is outside allowed-prefixes" },
	{ "vip_outside_v6", BASE "vip 2001:db8:fffe::1 udp 53 {\n" BE "}\n",
	  "xlb.conf:4: vip 2001:db8:fffe::1/128 is outside allowed-prefixes" },
	{ "vip_outside_v6_max",
	  "allowed-prefixes { 2001:db8::/32 max 64 }\n\nvip 2001:db8::20 local {\n}\n",
	  "xlb.conf:3: vip 2001:db8::20/128 is outside allowed-prefixes" },
	{ "vip_no_xdp",
	  "allowed-prefixes { 203.0.113.0/24 }\nencap-source 192.0.2.10\n\nvip 203.0.113.10 tcp "
	  "80 { backend 198.51.100.1 }\n",
	  "xlb.conf:4: vip 203.0.113.10:80/tcp forwards but there is no 'xdp interface'" },
	{ "backend_needs_v6_source",
	  "allowed-prefixes { 203.0.113.0/24 }\nencap-source 192.0.2.10\nxdp interface eth0\nvip "
	  "203.0.113.10 tcp 80 {\n" BE "    backend 2001:db8::5\n}\n",
	  "xlb.conf:6: backend 2001:db8::5 needs an IPv6 encap-source (the outer header is IPv6)" },
	{ "backend_needs_v4_source",
	  "allowed-prefixes { 203.0.113.0/24 }\nencap-source 2001:db8::10\nxdp interface eth0\nvip "
	  "203.0.113.10 tcp 80 {\n" BE "}\n",
	  "xlb.conf:5: backend 198.51.100.11 needs an IPv4 encap-source (the outer header is IPv4)" },
	{ "first_error_in_file_order",
	  BASE "vip 198.51.100.5 tcp 80 {\n" BE "}\nneighbor 192.0.2.1 { remote-as 1 }\n",
	  "xlb.conf:4: vip 198.51.100.5/32 is outside allowed-prefixes" },
	{ "first_error_in_file_order_2",
	  BASE "neighbor 192.0.2.1 { remote-as 1 }\nvip 198.51.100.5 tcp 80 {\n" BE "}\n",
	  "xlb.conf:4: neighbor 192.0.2.1 needs router-id" },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* test_config_errors_limits builds these configs in code. */
static const char *const limit_msgs[] = {
	"xlb.conf:517: too many forwarding vips (at most 512)",
	"xlb.conf:4114: too many backends (at most 4095 in all vips together)",
};

static void check_error(const char *name, const char *text, const char *want)
{
	struct xlb_conf *conf = (struct xlb_conf *)1;
	char err[CONF_ERR_MAX];
	int ret;

	test_ctx("%s", name);
	memset(err, 'X', sizeof(err));
	ret = conf_parse_string("xlb.conf", text, &conf, err, sizeof(err));
	ASSERT_EQ(ret, -EINVAL, "parse fails");
	ASSERT_TRUE(conf == NULL, "no config on error");
	if (!ret)
		conf_free(conf);
	ASSERT_STREQ(err, want, "message");
	test_ctx(NULL);
}

void test_config_errors(void)
{
	size_t i;

	for (i = 0; i < N_CASES; i++)
		check_error(cases[i].name, cases[i].text, cases[i].want);
}

/* Datapath limits: 512 forwarding VIPs (local ones do not count), 4095
 * backends in all. */
void test_config_errors_limits(void)
{
	size_t cap = 1 << 20, off, i;
	char *text;

	text = malloc(cap);
	if (!text) {
		test_fail("out of memory");
		return;
	}
	off = snprintf(text, cap, "%s", BASE); /* 3 lines */
	off += snprintf(text + off, cap - off, "vip 203.0.113.2 local { }\n");
	for (i = 0; i <= XLB_MAX_VIPS; i++)
		off += snprintf(text + off, cap - off, "vip 203.0.113.1 tcp %zu { backend 10.0.0.1 }\n",
				i + 1);
	/* the 513th forwarding vip is on line 3 + 1 + 513 */
	check_error("vips", text, limit_msgs[0]);

	off = snprintf(text, cap, "%s", BASE);
	for (i = 0; i < 8; i++) {
		size_t b;

		off += snprintf(text + off, cap - off, "vip 203.0.113.%zu udp 53 {\n", i + 1);
		for (b = 0; b < 512; b++)
			off += snprintf(text + off, cap - off, "backend 10.%zu.%zu.%zu\n", i, b / 256,
					b % 256);
		off += snprintf(text + off, cap - off, "}\n");
	}
	/* vip i opens on line 4 + i * 514, its backend b is on the line
	 * 4 + i * 514 + 1 + b; the 4096th backend is vip 7's backend 511 */
	check_error("backends", text, limit_msgs[1]);
	free(text);
}

/* A NUL byte in a file is an invalid character like any control byte. */
void test_config_errors_file(void)
{
	char path[] = "/tmp/xlb-conf-XXXXXX";
	static const char text[] = "router-id 192.0.2.1\nlocal-as 1\0\n";
	struct xlb_conf *conf = NULL;
	char err[CONF_ERR_MAX], want[CONF_ERR_MAX + 64];
	int fd, ret;

	ret = conf_parse_file("/nonexistent/xlb.conf", &conf, err, sizeof(err));
	ASSERT_EQ(ret, -ENOENT, "missing file");
	ASSERT_STREQ(err, "/nonexistent/xlb.conf: No such file or directory", "missing file");
	ret = conf_parse_file("/tmp", &conf, err, sizeof(err));
	ASSERT_EQ(ret, -EINVAL, "directory");
	ASSERT_STREQ(err, "/tmp: a directory, not a regular file", "directory");
	ASSERT_TRUE(conf == NULL, "no config");
	ret = conf_parse_file("/dev/null", &conf, err, sizeof(err));
	ASSERT_STREQ(err, "/dev/null: a device, not a regular file", "device");

	fd = mkstemp(path);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	ASSERT_EQ(write(fd, text, sizeof(text) - 1), sizeof(text) - 1, "write");
	close(fd);
	ret = conf_parse_file(path, &conf, err, sizeof(err));
	ASSERT_EQ(ret, -EINVAL, "NUL byte");
	snprintf(want, sizeof(want), "%s:2: invalid character 0x00", path);
	ASSERT_STREQ(err, want, "NUL byte");
	ASSERT_TRUE(conf == NULL, "no config");
	unlink(path);
}

/* `xlbd -n -f FIFO` waited forever for a writer: a FIFO is refused at
 * once like any file that is not a regular one (alarm: a hang fails the
 * test instead of stopping the run). */
static void on_alarm(int sig)
{
	(void)sig;
	_exit(3);
}

void test_config_errors_fifo(void)
{
	char dir[] = "/tmp/xlb-fifo-XXXXXX", path[64], err[CONF_ERR_MAX], want[128];
	struct xlb_conf *conf = NULL;
	int ret;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/xlb.conf", dir);
	if (ASSERT_OK(mkfifo(path, 0600), "mkfifo")) {
		signal(SIGALRM, on_alarm);
		alarm(10);
		ret = conf_parse_file(path, &conf, err, sizeof(err));
		alarm(0);
		signal(SIGALRM, SIG_DFL);
		ASSERT_EQ(ret, -EINVAL, "refused");
		snprintf(want, sizeof(want), "%s: a FIFO, not a regular file", path);
		ASSERT_STREQ(err, want, "named");
		ASSERT_TRUE(conf == NULL, "no config");
		unlink(path);
	}
	rmdir(dir);
}

/* A short error buffer is cut, never overrun; no buffer at all works. */
void test_config_errors_short_buffer(void)
{
	struct xlb_conf *conf = NULL;
	char err[16];
	int ret;

	memset(err, 'X', sizeof(err));
	ret = conf_parse_string("xlb.conf", "\nlocal-as 0\n", &conf, err, 12);
	ASSERT_EQ(ret, -EINVAL, "fails");
	ASSERT_STREQ(err, "xlb.conf:2:", "cut");
	ASSERT_EQ(err[12], 'X', "not overrun");
	ret = conf_parse_string("xlb.conf", "\"x", &conf, err, 5);
	ASSERT_EQ(ret, -EINVAL, "lexer fails");
	ASSERT_STREQ(err, "xlb.", "lexer cut");
	ret = conf_parse_string("xlb.conf", "\nlocal-as 0\n", &conf, NULL, 0);
	ASSERT_EQ(ret, -EINVAL, "no buffer");
	ret = conf_parse_string("xlb.conf", "x \"", &conf, NULL, 0);
	ASSERT_EQ(ret, -EINVAL, "no buffer, lexer");
	ASSERT_TRUE(conf == NULL, "no config");
}

/* --- every message format of the parser has a case --- */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n + 1);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/* Append the C string literals starting at *pp (adjacent ones joined,
 * escapes resolved) to out; returns false if there is none. */
static bool take_literal(const char **pp, char *out, size_t len)
{
	const char *p = *pp;
	size_t o = 0;
	bool any = false;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p != '"')
			break;
		any = true;
		for (p++; *p && *p != '"'; p++) {
			char c = *p;

			if (c == '\\') {
				p++;
				c = *p == 'n' ? '\n' : *p;
			}
			if (o + 1 < len)
				out[o++] = c;
		}
		if (*p)
			p++;
	}
	out[o] = '\0';
	*pp = p;
	return any;
}

/* printf format -> anchored extended regex */
static void fmt_to_regex(const char *fmt, char *re, size_t len)
{
	size_t o = 0;

	re[o++] = '^';
	for (; *fmt && o + 16 < len; fmt++) {
		if (*fmt == '%') {
			fmt++;
			/* flags, width, precision (%.64s), length */
			while (*fmt == '0' || (*fmt >= '1' && *fmt <= '9') || *fmt == 'z' ||
			       *fmt == 'l' || *fmt == '.')
				fmt++;
			switch (*fmt) {
			case 's':
				o += snprintf(re + o, len - o, "(.*)");
				break;
			case 'c':
				o += snprintf(re + o, len - o, "(.)");
				break;
			case 'x':
				o += snprintf(re + o, len - o, "([0-9a-f]+)");
				break;
			case '%':
				re[o++] = '%';
				break;
			default: /* d, u */
				o += snprintf(re + o, len - o, "([0-9]+)");
				break;
			}
			continue;
		}
		if (strchr(".[]()*+?{}|^$\\", *fmt))
			re[o++] = '\\';
		re[o++] = *fmt;
	}
	re[o++] = '$';
	re[o] = '\0';
}

static const char *const sources[] = {
	"agent/config/lexer.c",	    "agent/config/cursor.c",	   "agent/config/parser.c",
	"agent/config/parse_value.c", "agent/config/parse_vip.c", "agent/config/parse_health.c",
	"agent/config/validate.c", "agent/config/parse_pool.c",
};

/* Strip "xlb.conf:N: " (or "FILE:N: ") from a case's message. */
static const char *msg_body(const char *want)
{
	const char *p = strstr(want, ": ");

	return p ? p + 2 : want;
}

void test_config_errors_cover(void)
{
	const char *top = getenv("XLB_SRCDIR") ? getenv("XLB_SRCDIR") : ".";
	size_t s, formats = 0;

	for (s = 0; s < sizeof(sources) / sizeof(sources[0]); s++) {
		char path[4096], fmt[512], re[2048];
		const char *p;
		char *src;

		snprintf(path, sizeof(path), "%s/%s", top, sources[s]);
		src = read_all(path);
		if (!ASSERT_OK_PTR(src, path))
			return;
		for (p = src; (p = strstr(p, "_err(")); ) {
			const char *q, *call = p;
			regex_t rx;
			size_t i;

			p += 5;
			/* only p_err()/lex_err() calls: the format is the first
			 * string literal, before any ';' or '{' */
			if (call == src || (call[-1] != 'p' && call[-1] != 'x'))
				continue;
			q = strpbrk(p, "\";{");
			if (!q || *q != '"')
				continue;
			if (!take_literal(&q, fmt, sizeof(fmt)))
				continue;
			formats++;
			fmt_to_regex(fmt, re, sizeof(re));
			if (!ASSERT_OK(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), re))
				continue;
			for (i = 0; i < N_CASES; i++)
				if (!regexec(&rx, msg_body(cases[i].want), 0, NULL, 0))
					break;
			if (i == N_CASES &&
			    regexec(&rx, msg_body(limit_msgs[0]), 0, NULL, 0) &&
			    regexec(&rx, msg_body(limit_msgs[1]), 0, NULL, 0))
				test_fail("%s: no case for \"%s\"", sources[s], fmt);
			regfree(&rx);
		}
		free(src);
	}
	ASSERT_GE(formats, 60, "message formats found");
	printf("%zu message formats, %zu cases\n", formats, N_CASES);
}
