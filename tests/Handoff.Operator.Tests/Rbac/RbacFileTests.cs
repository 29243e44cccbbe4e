namespace Handoff.Operator.Tests.Rbac;

public sealed class RbacFileTests
{
    [Fact]
    public void Required_permissions_file_is_copied_next_to_the_tests_and_parses()
    {
        var rules = Support.RbacRules.Load();
        Assert.Contains(rules.Cluster, r => r.Resources.Contains("pods/binding") && r.Verbs.Contains("create"));
        Assert.Contains(rules.Namespaced, r => r.ApiGroups.Contains("coordination.k8s.io") && r.Resources.Contains("leases"));
        Assert.True(rules.Allows(cluster: true, "", "pods", "create"));
        Assert.False(rules.Allows(cluster: true, "", "pods", "update"));
        Assert.False(rules.Allows(cluster: true, "coordination.k8s.io", "leases", "get"));
        Assert.True(rules.Allows(cluster: false, "coordination.k8s.io", "leases", "update"));
    }
}
