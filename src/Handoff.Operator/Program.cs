using Handoff.Operator;

try
{
    var options = OperatorOptionsBinder.Bind(args, Environment.GetEnvironmentVariable);
    await using var host = await OperatorHost.StartAsync(options, OperatorHost.LoadKubeConfig(options));
    await host.WaitForShutdownAsync();
    return 0;
}
catch (OperatorOptionsException ex)
{
    await Console.Error.WriteLineAsync("error: " + ex.Message);
    return 2;
}
