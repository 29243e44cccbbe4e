using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Handoff.Operator.Infrastructure;
using k8s;
using k8s.Exceptions;

namespace Handoff.Operator.Tests.Infrastructure;

/// <summary>The operator's kubeconfig reader gives the configuration KubernetesClient's own reader gives for the same file.</summary>
public sealed class KubeConfigReaderTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kubeconfig-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string CaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return cert.ExportCertificatePem();
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static void AssertSame(KubernetesClientConfiguration expected, KubernetesClientConfiguration actual)
    {
        Assert.Equal(
            (expected.Host, expected.Namespace, expected.CurrentContext, expected.SkipTlsVerify, expected.TlsServerName),
            (actual.Host, actual.Namespace, actual.CurrentContext, actual.SkipTlsVerify, actual.TlsServerName));
        Assert.Equal(
            (expected.AccessToken, expected.Username, expected.Password, expected.ClientCertificateData, expected.ClientCertificateKeyData),
            (actual.AccessToken, actual.Username, actual.Password, actual.ClientCertificateData, actual.ClientCertificateKeyData));
        Assert.Equal((expected.ClientCertificateFilePath, expected.ClientKeyFilePath), (actual.ClientCertificateFilePath, actual.ClientKeyFilePath));
        Assert.Equal(
            expected.SslCaCerts?.Select(c => c.Thumbprint) ?? [],
            actual.SslCaCerts?.Select(c => c.Thumbprint) ?? []);
    }

    [Fact]
    public void Certificates_as_data_and_as_files_relative_to_the_kubeconfig_read_as_KubernetesClient_reads_them()
    {
        var ca = CaPem();
        Write("certs/ca.crt", ca);
        var path = Write("nested/config", $$"""
            apiVersion: v1
            kind: Config
            current-context: files
            clusters:
            - name: by-data
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority-data: {{Convert.ToBase64String(Encoding.ASCII.GetBytes(ca))}}
                tls-server-name: api.internal
            - name: by-file
              cluster:
                server: "https://api.example:443"
                certificate-authority: ../certs/ca.crt
            - name: insecure
              cluster: {server: "https://0.0.0.0:6443", insecure-skip-tls-verify: true}
            users:
            - name: data
              user:
                client-certificate-data: Y2VydA==
                client-key-data: a2V5
            - name: files
              user:
                client-certificate: ../certs/client.crt
                client-key: /abs/client.key
            - name: token
              user: {token: abc.def}
            - name: basic
              user: {username: admin, password: "s3cret"}
            contexts:
            - name: data
              context: {cluster: by-data, user: data, namespace: team-a}
            - name: files
              context:
                cluster: by-file
                user: files
            - name: token
              context: {cluster: insecure, user: token, namespace: ~}
            - name: basic
              context: {cluster: by-data, user: basic}
            """);

        foreach (var context in new string?[] { null, "data", "files", "token", "basic" })
        {
            AssertSame(KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context), KubeConfigReader.Load(path, context));
        }

        Assert.Equal("https://127.0.0.1:6443/", KubeConfigReader.Load(path, "token").Host);
        Assert.Equal(Path.Combine(_dir.FullName, "certs/client.crt"), Path.GetFullPath(KubeConfigReader.Load(path).ClientCertificateFilePath));
    }

    [Fact]
    public void An_exec_plugin_and_impersonation_are_read_into_the_model()
    {
        var path = Write("config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:8080"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users:
            - name: u
              user:
                as: someone
                as-groups: [a, b]
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: get-token
                  args: ["--cluster", "k"]
                  env: [{name: REGION, value: eu}]
                  provideClusterInfo: true
                  installHint: install get-token
            """);

        var user = Assert.Single(KubeConfigReader.Read(path).Users).UserCredentials;
        Assert.Equal("someone", user.Impersonate);
        Assert.Equal(["a", "b"], user.ImpersonateGroups);
        var exec = user.ExternalExecution;
        Assert.Equal(("client.authentication.k8s.io/v1", "get-token", "install get-token", true), (exec.ApiVersion, exec.Command, exec.InstallHint, exec.ProvideClusterInfo));
        Assert.Equal(["--cluster", "k"], exec.Arguments);
        Assert.Equal("eu", Assert.Single(exec.EnvironmentVariables)["value"]);
    }

    [Fact]
    public void A_file_that_is_no_kubeconfig_or_names_a_missing_context_is_refused_as_KubernetesClient_refuses_it()
    {
        var notMapping = Write("list", "- a\n- b\n");
        var missing = Write("config", "current-context: nowhere\nclusters: []\ncontexts: []\nusers: []\n");

        Assert.Contains("not a kubeconfig", Assert.Throws<KubeConfigException>(() => KubeConfigReader.Read(notMapping)).Message, StringComparison.Ordinal);
        Assert.Equal(
            Assert.Throws<KubeConfigException>(() => KubernetesClientConfiguration.BuildConfigFromConfigFile(missing)).Message,
            Assert.Throws<KubeConfigException>(() => KubeConfigReader.Load(missing)).Message);
    }
}
