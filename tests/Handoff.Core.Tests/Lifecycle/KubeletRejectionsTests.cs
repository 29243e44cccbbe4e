using Handoff.Core.Lifecycle;

namespace Handoff.Core.Tests.Lifecycle;

public sealed class KubeletRejectionsTests
{
    [Theory]
    [InlineData("OutOfcpu")]
    [InlineData("OutOfmemory")]
    [InlineData("OutOfpods")]
    [InlineData("OutOfnvidia.com/gpu")]
    [InlineData("UnexpectedAdmissionError")]
    [InlineData("NodeAffinity")]
    [InlineData("Taint")]
    [InlineData("NodeName")]
    [InlineData("NodeSelectorMismatching")]
    public void Admission_failures_of_the_kubelet_are_rejections(string reason) =>
        Assert.True(KubeletRejections.IsRejection(reason));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Evicted")]
    [InlineData("DeadlineExceeded")]
    [InlineData("Error")]
    [InlineData("outOfcpu")]
    public void Other_pod_reasons_are_failures_of_the_pod_not_rejections(string? reason) =>
        Assert.False(KubeletRejections.IsRejection(reason));

    [Fact]
    public void A_rejection_is_a_failed_pod_with_such_a_reason()
    {
        var pod = new AttemptPod("f-1", 1) { Phase = PodPhase.Failed, Reason = "OutOfcpu" };
        Assert.True(pod.IsKubeletRejection);
        Assert.False((pod with { Phase = PodPhase.Pending }).IsKubeletRejection);
        Assert.False((pod with { Reason = "Evicted" }).IsKubeletRejection);
    }
}
