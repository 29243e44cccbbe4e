using Handoff.Operator.Tests.Support;

namespace Handoff.Operator.Tests.Rbac;

public sealed class ApiCallTests
{
    [Theory]
    [InlineData("GET", "/api/v1/pods?labelSelector=handoff.dev%2Ffunction&watch=true", "watch", "", "pods", null)]
    [InlineData("GET", "/api/v1/nodes", "list", "", "nodes", null)]
    [InlineData("POST", "/api/v1/namespaces/ns/pods/f-1/binding", "create", "", "pods/binding", "ns")]
    [InlineData("DELETE", "/api/v1/namespaces/ns/pods/f-1", "delete", "", "pods", "ns")]
    [InlineData("PATCH", "/apis/handoff.dev/v1alpha1/namespaces/ns/handofffunctions/f/status", "patch", "handoff.dev", "handofffunctions/status", "ns")]
    [InlineData("PATCH", "/apis/handoff.dev/v1alpha1/handoffnodes/n/status", "patch", "handoff.dev", "handoffnodes/status", null)]
    [InlineData("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube/leases/handoff-operator", "update", "coordination.k8s.io", "leases", "kube")]
    [InlineData("GET", "/apis/handoff.dev/v1alpha1/handofffunctions", "list", "handoff.dev", "handofffunctions", null)]
    public void Requests_map_to_rbac_terms(string method, string path, string verb, string group, string resource, string? ns)
    {
        var call = ApiCall.From(new HttpMethod(method), new Uri("http://x" + path));
        Assert.Equal(new ApiCall(verb, group, resource, ns), call);
    }

    [Fact]
    public void Discovery_is_not_an_api_call() => Assert.Null(ApiCall.From(HttpMethod.Get, new Uri("http://x/version")));
}
