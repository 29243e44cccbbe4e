using System.Net;
using System.Text;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>fieldValidation for built-in kinds: unknown fields warned and dropped, or rejected when Strict.</summary>
public sealed class FieldValidationTests : EmulatorTest
{
    [Fact]
    public async Task Unknown_fields_of_built_in_kinds_warn_and_are_dropped_or_rejected_when_strict()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        using var body = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"warned"},"data":{"a":"b"},"bogus":1}""", Encoding.UTF8, "application/json");
        using var created = await http.PostAsync(new Uri("api/v1/namespaces/default/configmaps", UriKind.Relative), body, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("299 - \"unknown field \\\"bogus\\\"\"", created.Headers.GetValues("Warning"));
        Assert.DoesNotContain("bogus", await http.GetStringAsync(new Uri("api/v1/namespaces/default/configmaps/warned", UriKind.Relative), Ct), StringComparison.Ordinal);

        using var patch = new StringContent("""{"data":{"c":"d"},"metadata":{"labelz":{"x":"y"}}}""", Encoding.UTF8, "application/merge-patch+json");
        using var strict = await http.PatchAsync(new Uri("api/v1/namespaces/default/configmaps/warned?fieldValidation=Strict", UriKind.Relative), patch, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(await strict.Content.ReadAsStringAsync(Ct));
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"metadata.labelz\"", status.Message);
    }
}
