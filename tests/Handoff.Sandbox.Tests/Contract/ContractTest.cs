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
}
