/*
 * test_aws_ssm.c - which SSM operations Stop lets finish once sent
 * (ssm_op_mutating, aws.h): every operation the resources call, by its
 * expected class, and names the table does not know.
 */
#include "unit.h"

#include "aws/aws.h"

static void test_ssm_op_mutating__the_provider_s_operations(void)
{
	static const char *const mutating[] = {
		"CreatePatchBaseline",
		"UpdatePatchBaseline",
		"DeletePatchBaseline",
		"RegisterPatchBaselineForPatchGroup",
		"DeregisterPatchBaselineForPatchGroup",
		"RegisterDefaultPatchBaseline",
		"CreateMaintenanceWindow",
		"UpdateMaintenanceWindow",
		"DeleteMaintenanceWindow",
		"RegisterTargetWithMaintenanceWindow",
		"UpdateMaintenanceWindowTarget",
		"DeregisterTargetFromMaintenanceWindow",
		"RegisterTaskWithMaintenanceWindow",
		"UpdateMaintenanceWindowTask",
		"DeregisterTaskFromMaintenanceWindow",
		"AddTagsToResource",
		"RemoveTagsFromResource",
		/* not called today, but mutating in SSM's model */
		"PutParameter",
		"SendCommand",
		"StartAutomationExecution",
		"CancelMaintenanceWindowExecution",
		"LabelParameterVersion",
		/* unknown: the safe side */
		"Frobnicate",
		"Getaway",
		"Listen",
		"",
	};
	static const char *const reads[] = {
		"GetPatchBaseline",
		"GetDefaultPatchBaseline",
		"GetMaintenanceWindow",
		"GetMaintenanceWindowTask",
		"DescribePatchBaselines",
		"DescribeMaintenanceWindowTargets",
		"DescribeMaintenanceWindowTasks",
		"ListTagsForResource",
	};

	CHECK_SPLIT(ssm_op_mutating, mutating, reads);
	CHECK(ssm_op_mutating(NULL));
}

int main(void)
{
	RUN(test_ssm_op_mutating__the_provider_s_operations);
	return unit_summary();
}
