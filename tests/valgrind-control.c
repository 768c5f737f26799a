/*
 * valgrind-control.c - one invalid read and one leak, on purpose.
 *
 * tests/valgrind.sh runs this program under memcheck with the options and
 * suppressions of every other run and requires both errors to be reported:
 * the proof that those options and the scan of the log files catch what
 * they are there to catch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The size of the blocks, read at run time so that no warning sees it. */
static volatile size_t control_size = 16;

/* read_past - read the byte just after the end of a heap block. */
static __attribute__((noinline)) int
read_past(size_t size)
{
	char *block = malloc(size);
	int c;

	if (block == NULL)
		return -1;
	memset(block, 'r', size);
	c = ((volatile char *)block)[size];
	free(block);
	return c;
}

/* lose - allocate a block and drop the only pointer to it. */
static __attribute__((noinline)) int
lose(size_t size)
{
	char *block = malloc(size);

	if (block == NULL)
		return -1;
	memset(block, 'l', size);
	return ((volatile char *)block)[0];
}

int
main(void)
{
	int sum = read_past(control_size) + lose(control_size);

	printf("valgrind-control: made one invalid read and one leak (%d)\n", sum);
	return 0;
}
