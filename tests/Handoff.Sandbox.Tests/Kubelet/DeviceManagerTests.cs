using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Kubelet;

/// <summary>The simulated device plugins: devices only for extended resources in limits, recorded in handoff.dev/sandbox-devices, freed when the pod ends.</summary>
public sealed class DeviceManagerTests : EmulatorTest
{
    private static V1Pod Gpu(string name, int gpus, string? cpuLimit = null)
    {
        var pod = Pod(name, "gpu-1", new() { [SimulatedKubelet.DurationAnnotation] = "1h" });
        var limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (cpuLimit is not null)
        {
            limits["cpu"] = new(cpuLimit);
        }

        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Limits = limits };
        return pod;
    }

    private async Task<string?> DevicesAsync(string name) =>
        (await Wait.UntilAsync(() => Client.CoreV1.ReadNamespacedPodAsync(name, "default", cancellationToken: Ct), p => p.Status.Phase == "Running", what: name + " running"))
            .Metadata.Annotations.TryGetValue(SimulatedKubelet.DevicesAnnotation, out var devices) ? devices : null;

    [Fact]
    public async Task Each_pod_gets_its_own_devices_and_they_are_freed_when_it_ends()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Gpu("first", 1), "default", cancellationToken: Ct);
        Assert.Equal("nvidia.com/gpu=GPU-gpu-1-0", await DevicesAsync("first"));
        await Client.CoreV1.CreateNamespacedPodAsync(Gpu("second", 1), "default", cancellationToken: Ct);
        Assert.Equal("nvidia.com/gpu=GPU-gpu-1-1", await DevicesAsync("second"));

        Server.Kubelet.FinishPod("default", "first");
        await Client.CoreV1.CreateNamespacedPodAsync(Gpu("third", 1), "default", cancellationToken: Ct);
        Assert.Equal("nvidia.com/gpu=GPU-gpu-1-0", await DevicesAsync("third"));
    }

    [Fact]
    public async Task Pods_without_extended_limits_get_no_devices_and_the_request_is_defaulted_from_the_limit()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("plain", "gpu-1", new() { [SimulatedKubelet.DurationAnnotation] = "1h" }), "default", cancellationToken: Ct);
        Assert.Null(await DevicesAsync("plain"));

        var created = await Client.CoreV1.CreateNamespacedPodAsync(Gpu("two", 2, cpuLimit: "1"), "default", cancellationToken: Ct);
        Assert.Equal("2", created.Spec.Containers[0].Resources.Requests["nvidia.com/gpu"].ToString());
        Assert.Equal("Burstable", created.Status.QosClass);
        Assert.Equal("nvidia.com/gpu=GPU-gpu-1-0,GPU-gpu-1-1", await DevicesAsync("two"));
    }
}
