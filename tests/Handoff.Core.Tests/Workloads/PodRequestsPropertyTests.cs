using CsCheck;
using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

public sealed class PodRequestsPropertyTests
{
    [Fact]
    public void Effective_request_equals_the_plain_reference_for_every_resource() =>
        WorkloadGenerators.GenPod.Sample(pod =>
        {
            var effective = PodRequests.Effective(pod);
            foreach (var name in WorkloadGenerators.Universe(effective))
            {
                Assert.Equal(ReferencePodRequests.Effective(pod, name), effective[name]);
            }
        }, iter: 2000);

    [Fact]
    public void Effective_request_is_at_least_every_regular_container_and_every_init_container() =>
        WorkloadGenerators.GenPod.Sample(pod =>
        {
            var effective = PodRequests.Effective(pod);
            foreach (var name in WorkloadGenerators.Universe(effective))
            {
                if (PodRequests.IsPodLevelResource(name) && (pod.PodLevelRequests.Count > 0 || pod.PodLevelLimits.Count > 0))
                {
                    continue; // pod-level resources decide these
                }

                var sum = pod.Containers.Sum(c => c.DefaultedRequests[name]);
                Assert.True(effective[name] >= sum + pod.Overhead[name]);
                Assert.All(pod.InitContainers, init => Assert.True(effective[name] >= init.DefaultedRequests[name] + pod.Overhead[name]));
            }
        }, iter: 1000);
}
