using System.Net;
using Handoff.Operator.Infrastructure;

namespace Handoff.Operator.Tests.Infrastructure;

public sealed class LeaseFenceHandlerTests
{
    private sealed class Fence : ILeaseFence
    {
        public bool IsFresh { get; set; }

        public void ThrowIfStale()
        {
            if (!IsFresh)
            {
                throw new LeaseLostException("stale");
            }
        }
    }

    private sealed class Wire : HttpMessageHandler
    {
        public List<string> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    private static (HttpClient Client, Wire Wire, Fence Fence) Client()
    {
        var fence = new Fence();
        var wire = new Wire();
        return (new HttpClient(new LeaseFenceHandler(() => fence) { InnerHandler = wire }) { BaseAddress = new Uri("https://api.test") }, wire, fence);
    }

    [Fact]
    public async Task A_write_with_a_stale_lease_never_reaches_the_wire_and_a_fresh_one_does()
    {
        var (client, wire, fence) = Client();
        using var _ = client;

        await Assert.ThrowsAsync<LeaseLostException>(() => client.PostAsync("/api/v1/namespaces/a/pods", new StringContent("{}"), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<LeaseLostException>(() => client.PatchAsync("/apis/handoff.dev/v1alpha1/namespaces/a/handofffunctions/f/status", new StringContent("{}"), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<LeaseLostException>(() => client.DeleteAsync("/api/v1/namespaces/a/pods/p", TestContext.Current.CancellationToken));
        Assert.Empty(wire.Sent);

        fence.IsFresh = true;
        await client.PostAsync("/api/v1/namespaces/a/pods", new StringContent("{}"), TestContext.Current.CancellationToken);
        Assert.Equal(["POST /api/v1/namespaces/a/pods"], wire.Sent);
    }

    [Fact]
    public async Task Reads_the_lease_itself_and_the_metrics_reviews_pass_whatever_the_lease()
    {
        var (client, wire, _) = Client();
        using var __ = client;
        var ct = TestContext.Current.CancellationToken;

        await client.GetAsync("/api/v1/pods?watch=true", ct);
        await client.PutAsync("/apis/coordination.k8s.io/v1/namespaces/a/leases/handoff", new StringContent("{}"), ct);
        await client.PostAsync("/apis/authentication.k8s.io/v1/tokenreviews", new StringContent("{}"), ct);
        await client.PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", new StringContent("{}"), ct);

        Assert.Equal(4, wire.Sent.Count);
    }
}
