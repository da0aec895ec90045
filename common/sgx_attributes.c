// SPDX-License-Identifier: GPL-2.0
#include <linux/ebroker_sgx.h>

#include "common/sgx_attributes.h"
#include "common/util.h"

static const struct {
	uint64_t bit;
	const char *name;
} attribute_names[] = {
	{ EB_ATTR_INIT, "INIT" },
	{ EB_ATTR_DEBUG, "DEBUG" },
	{ EB_ATTR_MODE64BIT, "MODE64BIT" },
	{ EB_ATTR_PROVISIONKEY, "PROVISIONKEY" },
	{ EB_ATTR_EINITTOKENKEY, "EINITTOKENKEY" },
	{ EB_ATTR_KSS, "KSS" },
};

void sgx_attributes_print(FILE *f, uint64_t attributes)
{
	const char *sep = "";

	for (size_t i = 0; i < ELEMENTSOF(attribute_names); i++) {
		if (attributes & attribute_names[i].bit) {
			fprintf(f, "%s%s", sep, attribute_names[i].name);
			sep = " ";
		}
	}
}

void sgx_attributes_json(struct json *j, uint64_t attributes)
{
	json_array_begin(j);
	for (size_t i = 0; i < ELEMENTSOF(attribute_names); i++)
		if (attributes & attribute_names[i].bit)
			json_string(j, attribute_names[i].name);
	json_array_end(j);
}
