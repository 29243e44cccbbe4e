using System.Net;
using System.Security.Cryptography.X509Certificates;
using Handoff.Operator.SecureMetrics;
using Handoff.Operator.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.SecureMetrics;

/// <summary>The metrics endpoint's certificate: self-signed by default, or a mounted Secret's, renewed in place.</summary>
public sealed class MetricsCertificateTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("handoff-metrics-tls-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void The_self_signed_certificate_names_the_host_and_the_loopback_addresses_and_has_its_key()
    {
        using var certificate = MetricsCertificate.SelfSigned(TimeProvider.System, ["handoff-7d9f8-abcde"]);
        var current = certificate.Current;
        Assert.True(current.HasPrivateKey);
        Assert.Equal(current.Subject, current.Issuer);
        var names = current.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["handoff-7d9f8-abcde", "localhost"], names.EnumerateDnsNames().Order(StringComparer.Ordinal));
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
        Assert.InRange(current.NotAfter - current.NotBefore, TimeSpan.FromDays(365), TimeSpan.FromDays(367));
        Assert.StartsWith("a self-signed certificate", certificate.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mounted_certificate_is_read_again_when_the_secret_changes_and_kept_while_the_files_are_unusable()
    {
        using var ca = new TestCertificates();
        var first = ca.WriteSecret(_dir.FullName, "metrics-1");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new LogRecorder();
        using var certificate = MetricsCertificate.FromFiles(Path.Combine(_dir.FullName, "tls.crt"), Path.Combine(_dir.FullName, "tls.key"), time);
        certificate.ReportTo(log);
        Assert.Equal(first.Thumbprint, certificate.Current.Thumbprint);
        Assert.True(certificate.Current.HasPrivateKey);
        Assert.True(ca.Issued(certificate.Current));

        // Renewed (cert-manager rewrites the Secret, the kubelet the files): served after the next check.
        var second = ca.WriteSecret(_dir.FullName, "metrics-2");
        File.SetLastWriteTimeUtc(Path.Combine(_dir.FullName, "tls.crt"), DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(first.Thumbprint, certificate.Current.Thumbprint);
        time.Advance(MetricsCertificate.ReloadCheckInterval);
        Assert.Equal(second.Thumbprint, certificate.Current.Thumbprint);
        Assert.Equal(606, Assert.Single(log.Lines).EventId.Id);

        // A half-written update keeps the last good certificate and says why.
        File.WriteAllText(Path.Combine(_dir.FullName, "tls.crt"), "-----BEGIN CERTIFICATE-----\ntruncated");
        File.SetLastWriteTimeUtc(Path.Combine(_dir.FullName, "tls.crt"), DateTime.UtcNow.AddSeconds(10));
        time.Advance(MetricsCertificate.ReloadCheckInterval);
        Assert.Equal(second.Thumbprint, certificate.Current.Thumbprint);
        Assert.Equal(605, log.Lines[^1].EventId.Id);
        Assert.Contains("tls.crt", log.Lines[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_that_cannot_be_used_stop_the_start_naming_them()
    {
        var missing = Assert.Throws<IOException>(() => MetricsCertificate.FromFiles(Path.Combine(_dir.FullName, "tls.crt"), Path.Combine(_dir.FullName, "tls.key"), TimeProvider.System));
        Assert.Contains(Path.Combine(_dir.FullName, "tls.crt"), missing.Message, StringComparison.Ordinal);

        using var ca = new TestCertificates();
        ca.WriteSecret(_dir.FullName, "metrics");
        File.WriteAllText(Path.Combine(_dir.FullName, "tls.key"), "not a key");
        var bad = Assert.Throws<IOException>(() => MetricsCertificate.FromFiles(Path.Combine(_dir.FullName, "tls.crt"), Path.Combine(_dir.FullName, "tls.key"), TimeProvider.System));
        Assert.Contains("tls.key", bad.Message, StringComparison.Ordinal);
    }
}
