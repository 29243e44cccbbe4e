using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// The base of the contract suite: API behaviours written once (one abstract class per concern) and run against every
/// <see cref="IClusterFixture"/>: the emulator always, k3s when a Docker engine is reachable (skipped with the reason
/// otherwise). Behaviour only the sandbox has is tested outside Contract/.
/// </summary>
public abstract class ContractTest<TFixture>(TFixture fixture)
    where TFixture : IClusterFixture
{
    protected TFixture Fixture { get; } = fixture;

    protected Kubernetes Client => Fixture.Client;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected async Task<string> NamespaceAsync(bool withCrd = false)
    {
        Fixture.SkipIfUnavailable();
        if (withCrd)
        {
            await Fixture.EnsureWidgetCrdAsync();
        }

        return await Fixture.NewNamespaceAsync();
    }

    protected static async Task<V1Status> FailsWith(HttpStatusCode code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(action);
        Assert.Equal(code, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal("Status", status.Kind);
        Assert.Equal((int)code, status.Code);
        return status;
    }

    protected static V1Pod Pod(string name, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            SchedulerName = "handoff-test",
            RestartPolicy = "Never",
            Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["true"] }],
        },
    };

    /// <summary>The first node of the cluster (the emulator's <c>gpu-1</c>, k3s' only node).</summary>
    protected async Task<string> FirstNodeAsync() => (await Client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).First().Metadata.Name;

    /// <summary>
    /// A pod bound to <paramref name="node"/> that runs until it is stopped: on a real kubelet a shell that exits on
    /// SIGTERM; on the emulator the same pod with an hour's simulated duration.
    /// </summary>
    protected static V1Pod RunningPod(string name, string node, IList<string>? finalizers = null, long? gracePeriodSeconds = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Finalizers = finalizers,
            Annotations = new Dictionary<string, string> { ["handoff.dev/sandbox-duration"] = "1h" },
        },
        Spec = new V1PodSpec
        {
            NodeName = node,
            RestartPolicy = "Never",
            TerminationGracePeriodSeconds = gracePeriodSeconds,
            Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }],
        },
    };

    protected async Task<V1Pod> StartedPodAsync(string ns, V1Pod pod)
    {
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct);
        return await PodAsync(ns, pod.Metadata.Name, p => p.Status?.Phase == "Running", "running", TimeSpan.FromMinutes(2));
    }

    protected async Task<V1Pod> PodAsync(string ns, string name, Func<V1Pod, bool> done, string what, TimeSpan? timeout = null) =>
        await Wait.UntilAsync(() => Client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: Ct), done, timeout ?? TimeSpan.FromSeconds(60), $"pod {name} {what}");

    protected async Task GoneAsync(Func<Task> read, string what, TimeSpan? timeout = null) =>
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await read();
                return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }
        }, gone => gone, timeout ?? TimeSpan.FromSeconds(60), what + " gone");

    /// <summary>Removes the finalizers an object was held with (a merge patch).</summary>
    protected Task ReleasePodAsync(string ns, string name) =>
        Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), name, ns, cancellationToken: Ct);
}
