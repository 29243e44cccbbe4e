using CsCheck;
using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

public sealed class PodResourcePatchPropertyTests
{
    [Fact]
    public void The_patched_pod_requests_exactly_the_cost_where_it_asked_for_less_and_nothing_else_changes() =>
        Gen.Select(WorkloadGenerators.GenValidPod, WorkloadGenerators.GenList(5)).Sample((pod, cost) =>
        {
            var before = PodRequests.Effective(pod);
            var patch = PodResourcePatch.For(cost, pod);
            var after = PodRequests.Effective(patch.ApplyTo(pod));
            foreach (var name in WorkloadGenerators.Universe(before, after, cost))
            {
                var expected = ComputeResources.IsKubernetesComputeResource(name) ? Math.Max(before[name], cost[name]) : before[name];
                Assert.Equal(expected, after[name]);
            }
        }, iter: 2000);

    [Fact]
    public void The_patch_never_lowers_anything_and_names_only_kubernetes_compute_resources() =>
        Gen.Select(WorkloadGenerators.GenValidPod, WorkloadGenerators.GenList(5)).Sample((pod, cost) =>
        {
            var patch = PodResourcePatch.For(cost, pod);
            var first = pod.Containers[0];
            Assert.All(patch.FirstContainerRequests, e => Assert.True(e.Value >= first.DefaultedRequests[e.Key]));
            Assert.All(patch.FirstContainerLimits, e => Assert.True(!first.Limits.Contains(e.Key) || e.Value >= first.Limits[e.Key]));
            Assert.All(patch.PodLevelRequests, e => Assert.True(!pod.PodLevelRequests.Contains(e.Key) || e.Value >= pod.PodLevelRequests[e.Key]));
            Assert.All(patch.PodLevelLimits, e => Assert.True(!pod.PodLevelLimits.Contains(e.Key) || e.Value >= pod.PodLevelLimits[e.Key]));
            var named = patch.FirstContainerRequests.Names.Concat(patch.FirstContainerLimits.Names)
                .Concat(patch.PodLevelRequests.Names).Concat(patch.PodLevelLimits.Names);
            Assert.All(named, name => Assert.True(ComputeResources.IsKubernetesComputeResource(name), name));
        }, iter: 2000);

    [Fact]
    public void Patched_limits_are_valid_for_kubernetes() =>
        Gen.Select(WorkloadGenerators.GenValidPod, WorkloadGenerators.GenList(5)).Sample((pod, cost) =>
        {
            var patch = PodResourcePatch.For(cost, pod);
            var patched = patch.ApplyTo(pod);
            var first = patched.Containers[0];
            foreach (var (name, request) in patch.FirstContainerRequests)
            {
                if (ComputeResources.IsOvercommitAllowed(name))
                {
                    Assert.True(!first.Limits.Contains(name) || first.Limits[name] >= request);
                }
                else
                {
                    Assert.Equal(request, first.Limits[name]);
                }

                if (PodRequests.IsPodLevelResource(name) && patched.PodLevelLimits.Contains(name))
                {
                    Assert.True(patched.PodLevelLimits[name] >= request);
                }
            }

            foreach (var (name, request) in patch.PodLevelRequests)
            {
                Assert.True(!patched.PodLevelLimits.Contains(name) || patched.PodLevelLimits[name] >= request);
            }
        }, iter: 2000);
}
