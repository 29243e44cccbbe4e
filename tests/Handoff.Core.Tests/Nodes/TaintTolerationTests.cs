using Handoff.Core.Nodes;

namespace Handoff.Core.Tests.Nodes;

public sealed class TaintTolerationTests
{
    private static readonly Taint GpuNoSchedule = new("gpu", "true", TaintEffect.NoSchedule);

    [Theory]
    [InlineData("gpu", "", "true", "", true)] // empty operator is Equal
    [InlineData("gpu", "Equal", "true", "NoSchedule", true)]
    [InlineData("gpu", "Equal", "false", "NoSchedule", false)]
    [InlineData("gpu", "Equal", "true", "NoExecute", false)]
    [InlineData("gpu", "Exists", "", "", true)]
    [InlineData("gpu", "Exists", "anything", "NoSchedule", true)]
    [InlineData("other", "Exists", "", "", false)]
    [InlineData("", "Exists", "", "", true)] // empty key with Exists tolerates everything
    [InlineData("", "Exists", "", "NoExecute", false)]
    [InlineData("", "Equal", "true", "", true)] // the API rejects it, but matching is as Kubernetes does it
    [InlineData("gpu", "Unknown", "true", "", false)]
    [InlineData("GPU", "Exists", "", "", false)] // keys are case-sensitive
    public void Tolerates_exactly_as_kubernetes(string key, string op, string value, string effect, bool tolerated) =>
        Assert.Equal(tolerated, new Toleration(key, op, value, effect).ToleratesTaint(GpuNoSchedule));

    [Theory]
    [InlineData("Gt", "4", "5", true)]
    [InlineData("Gt", "5", "5", false)]
    [InlineData("Lt", "6", "5", true)]
    [InlineData("Lt", "-1", "-2", true)]
    [InlineData("Gt", "+4", "5", true)]
    [InlineData("Gt", "4", " 5", false)]
    [InlineData("Gt", "4", "5.0", false)]
    [InlineData("Gt", "x", "5", false)]
    [InlineData("Lt", "9223372036854775808", "5", false)] // beyond 64 bits: not an integer to Go's ParseInt
    public void Lt_and_gt_compare_the_values_as_64_bit_integers(string op, string tolerationValue, string taintValue, bool tolerated) =>
        Assert.Equal(tolerated, new Toleration("level", op, tolerationValue, "").ToleratesTaint(new Taint("level", taintValue, TaintEffect.NoSchedule)));

    [Fact]
    public void Only_untolerated_no_schedule_and_no_execute_taints_keep_a_pod_off()
    {
        var taints = new[]
        {
            new Taint("soft", "", TaintEffect.PreferNoSchedule),
            new Taint("dedicated", "ml", TaintEffect.NoSchedule),
            new Taint("gpu", "true", TaintEffect.NoExecute),
        };
        Assert.Equal(taints[1], TaintToleration.FindUntoleratedForScheduling(taints, []));
        Assert.Equal(taints[2], TaintToleration.FindUntoleratedForScheduling(taints, [new Toleration("dedicated", "Equal", "ml", "NoSchedule")]));
        Assert.Null(TaintToleration.FindUntoleratedForScheduling(taints, [new Toleration("dedicated", "Exists", "", ""), new Toleration("gpu", "", "true", "")]));
        Assert.Null(TaintToleration.FindUntoleratedForScheduling(taints, [Toleration.Everything]));
        Assert.Equal(taints[0], TaintToleration.FindUntolerated(taints, []));
    }

    [Fact]
    public void The_reason_names_the_taint_as_the_contract_and_kube_scheduler_before_1_35_do()
    {
        Assert.Equal("node(s) had untolerated taint {gpu: true}", TaintToleration.Reason(GpuNoSchedule));
        Assert.Equal("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", TaintToleration.Reason(new Taint("node-role.kubernetes.io/control-plane", "", TaintEffect.NoSchedule)));
        Assert.Equal("node(s) had untolerated taint(s)", TaintToleration.RedactedReason);
    }

    [Fact]
    public void A_taint_prints_as_kubectl_taint_writes_it()
    {
        Assert.Equal("gpu=true:NoSchedule", GpuNoSchedule.ToString());
        Assert.Equal("soft:PreferNoSchedule", new Taint("soft", "", TaintEffect.PreferNoSchedule).ToString());
    }
}
