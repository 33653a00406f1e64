using CalSync.Sandbox;

// `dotnet run --project src/CalSync.Sandbox -- serve [--graph-port N] [--bitrix24-port N] [--culture en|de] [--empty]`
if (args.Length == 0 || args[0] is not "serve")
{
    Console.Error.WriteLine("usage: CalSync.Sandbox serve [--graph-port N] [--bitrix24-port N] [--culture en|de] [--empty]");
    return 2;
}

var options = new SandboxOptions { SeedSample = true };
for (var i = 1; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    options = args[i] switch
    {
        "--graph-port" => options with { GraphPort = int.Parse(Next()) },
        "--bitrix24-port" => options with { Bitrix24Port = int.Parse(Next()) },
        "--culture" => options with { Bitrix24Culture = Next() },
        "--empty" => options with { SeedSample = false },
        var unknown => throw new ArgumentException($"unknown option '{unknown}'"),
    };
}

await using var host = await SandboxHost.StartAsync(options);
Console.WriteLine($"Outlook.com (Graph) stand-in:  {host.Graph.BaseUrl}");
Console.WriteLine($"  access token:                {host.Graph.AccessToken}");
Console.WriteLine($"  sign-in authority:           {host.Graph.AuthorityUrl}");
Console.WriteLine($"Bitrix24 stand-in webhook:     {host.Bitrix24.WebhookUrl}");
Console.WriteLine($"  a colleague's webhook:       {host.Bitrix24.ColleagueWebhookUrl} (invites the user to meetings)");
Console.WriteLine("Press Ctrl+C to stop.");

var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopped.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.TrySetResult();
await stopped.Task;
return 0;
