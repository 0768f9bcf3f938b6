/* unit_main.c: the main() of every lab's Check unit test program; the lab provides the suites. */
#include <check.h>
#include <stdlib.h>

#include "netlab_check.h"

int main(void)
{
    SRunner *runner = srunner_create(NULL);
    int failed;

    for (size_t i = 0; unit_suites[i] != NULL; i++)
        srunner_add_suite(runner, unit_suites[i]());
    srunner_run_all(runner, CK_ENV);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
