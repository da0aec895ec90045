/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the SECS ATTRIBUTES bits, as ebroker-sign dump and
 * ebrokerctl attestation show them.
 */
#ifndef EB_COMMON_SGX_ATTRIBUTES_H
#define EB_COMMON_SGX_ATTRIBUTES_H

#include <stdint.h>
#include <stdio.h>

#include "common/json.h"

/* The names of the bits set in @attributes that have one, space-separated. */
void sgx_attributes_print(FILE *f, uint64_t attributes);

/* The same names, as a JSON array of strings. */
void sgx_attributes_json(struct json *j, uint64_t attributes);

#endif
