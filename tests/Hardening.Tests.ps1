# Issue 13, defects 5, 7 and 9 as a user types them: constant error ids instead of raw .NET exceptions, and a non-root
# read that says which file it could not read. Nothing here changes the machine (-WhatIf, saved copies under -Root).
BeforeDiscovery { $script:IsRoot = (& id -u) -eq '0' }
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    function Get-ErrorId([scriptblock] $Script) {
        try { $null = & $Script -ErrorAction Stop 2>$null; 'no error' } catch { $_.FullyQualifiedErrorId -replace ',.*$', '' }
    }
}

Describe 'Defect7: constant ids instead of raw exceptions' {
    It 'Defect7: <Name> gives <Id>' -ForEach @(
        @{ Name = "-Socket ' '"; Id = 'ParameterArgumentValidationError'; Script = { Get-DockerPublishedPort -Socket ' ' } }
        @{ Name = '-Socket with a NUL'; Id = 'ParameterArgumentValidationError'; Script = { Get-DockerChain -Socket "/run/docker`0.sock" } }
        @{ Name = "Repair-DockerChain -Socket ' '"; Id = 'ParameterArgumentValidationError'; Script = { Repair-DockerChain -Socket ' ' -WhatIf } }
        @{ Name = "Get-DockerPublishedPort '['"; Id = 'InvalidWildcardPattern'; Script = { Get-DockerPublishedPort '[' -Socket /nonexistent.sock } }
        @{ Name = "Get-FirewalldZone '['"; Id = 'InvalidWildcardPattern'; Script = { Get-FirewalldZone '[ab' } }
        @{ Name = "Get-FirewalldPort -Zone '['"; Id = 'InvalidWildcardPattern'; Script = { Get-FirewalldPort -Zone '[' } }
        @{ Name = 'Watch -Duration 5000000'; Id = 'InvalidDuration'; Script = { Watch-DockerHostNetState -Duration 5000000 } }
        @{ Name = 'Watch -Interval 0.0001'; Id = 'InvalidInterval'; Script = { Watch-DockerHostNetState -Interval 0.0001 -Duration 1 } }
        @{ Name = 'an interface name with a NUL'; Id = 'ParameterArgumentValidationError'; Script = { Test-FirewalldPort 5000 -Interface "eth`00" } }
    ) {
        Get-ErrorId $Script | Should -Be $Id
    }
}

Describe 'Defect9: validation gaps' {
    It 'Defect9: Test-FirewalldPort -Interface <_> is refused before any file is looked at' -ForEach @('../../../etc', '.', 'a/b', 'way-too-long-ifname0') {
        Get-ErrorId { Test-FirewalldPort 5000 -Interface $_ } | Should -Be 'ParameterArgumentValidationError'
    }

    It 'Defect9: Repair-IpForward -Path <Path> gives <Id> and nothing is written' -ForEach @(
        @{ Path = '/etc/sysctl.d/*.conf'; Id = 'InvalidDropInPath' }
        @{ Path = "/etc/sysctl.d/a`nb.conf"; Id = 'ParameterArgumentValidationError' }
        @{ Path = ' '; Id = 'ParameterArgumentValidationError' }
        @{ Path = '/run/sysctl.d/99-x.conf'; Id = 'InvalidDropInPath' }
        @{ Path = '/usr/lib/sysctl.d/99-x.conf'; Id = 'InvalidDropInPath' }
        @{ Path = '/lib/sysctl.d/99-x.conf'; Id = 'InvalidDropInPath' }
        @{ Path = '/etc/sysctl.d/./99-x.conf'; Id = 'InvalidDropInPath' }
        @{ Path = '/etc//sysctl.d/99-x.conf'; Id = 'InvalidDropInPath' }
    ) {
        $before = @(Get-ChildItem /etc/sysctl.d, /run/sysctl.d -ErrorAction Ignore | ForEach-Object Name)
        Get-ErrorId { Repair-IpForward -Path $Path -WhatIf } | Should -Be $Id
        @(Get-ChildItem /etc/sysctl.d, /run/sysctl.d -ErrorAction Ignore | ForEach-Object Name) | Should -Be $before
    }

    It "Defect9: Test-RegistryReachable '<Text>' is InvalidEndpoint" -ForEach @(
        @{ Text = '::1:5000' }, @{ Text = ('a' * 50 + '.') * 5 + 'a' * 8 + ':5000' }
    ) {
        Test-RegistryReachable $Text -ErrorAction SilentlyContinue -ErrorVariable ev | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidEndpoint,DockerHostTools.Commands.TestRegistryReachableCommand'
    }
}

Describe 'Defect5: a non-root read says which file it could not read' -Tag 'Root' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        function Invoke-AsNobody([string] $Command) {
            # nobody cannot reach root's NuGet folder: bind pwsh and the module where it can, in a private mount namespace.
            $work = Join-Path ([IO.Path]::GetTempPath()) ("dht-nobody-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
            New-Item -ItemType Directory $work | Out-Null; & chmod 0777 $work
            $pwshDll = [Environment]::GetCommandLineArgs()[0]; $module = $env:DHT_MODULE_PATH
            Set-Content "$work/run.ps1" "Import-Module '$work/module/$(Split-Path $module -Leaf)'; $Command | ConvertTo-Json -Depth 4 -EnumsAsStrings"
            $inner = "mkdir -p $work/pwsh $work/module && mount --bind '$(Split-Path $pwshDll)' $work/pwsh && mount --bind '$(Split-Path $module)' $work/module && " +
                "exec setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME=$work DOTNET_CLI_HOME=$work DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 " +
                "'$([Environment]::ProcessPath)' $work/pwsh/$(Split-Path $pwshDll -Leaf) -NoProfile -NonInteractive -File $work/run.ps1"
            try { (& unshare --mount --propagation private bash -c $inner 2>&1) -join "`n" } finally { Remove-Item $work -Recurse -Force -ErrorAction Ignore }
        }
        $script:Tree = Join-Path ([IO.Path]::GetTempPath()) ("dht-ro-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory "$Tree/etc/sysctl.d", "$Tree/proc/sys/net/ipv4", "$Tree/usr/lib/sysctl.d" -Force | Out-Null
        Set-Content "$Tree/proc/sys/net/ipv4/ip_forward" '1'
        Set-Content "$Tree/usr/lib/sysctl.d/10-off.conf" 'net.ipv4.ip_forward = 0'
        Set-Content "$Tree/etc/sysctl.d/99-on.conf" 'net.ipv4.ip_forward = 1'
        & chmod -R a+rX $Tree; & chmod 0600 "$Tree/etc/sysctl.d/99-on.conf"
    }
    AfterAll { Remove-Item $Tree -Recurse -Force -ErrorAction Ignore }

    It 'Defect5: a 0600 drop-in read as nobody: the verdict keeps its status, says the file could not be read, Confidence Low' {
        $root = Get-IpForward -Root $Tree
        $root.Status | Should -Be 'Ok'
        $text = Invoke-AsNobody "@{ State = (Get-IpForward -Root '$Tree' -WarningVariable w -WarningAction SilentlyContinue); Warnings = @(`$w | ForEach-Object Message) }"
        $out = $text.Substring($text.IndexOf('{')) | ConvertFrom-Json
        $state = $out.State
        $state.Status | Should -Be 'PersistedDisabled' -Because 'the readable files say 0: the verdict is not changed, only its confidence'
        $state.Confidence | Should -Be 'Low'
        $state.Unreadable[0].Path | Should -Be '/etc/sysctl.d/99-on.conf'
        $state.Unreadable[0].Reason | Should -Be 'AccessDenied'
        $state.Message | Should -Match 'could not be read.*99-on\.conf'
        $out.Warnings | Should -Match '99-on\.conf could not be read'
    }

    It 'Defect7: a 0700 /etc/sysctl.d read as nobody is reported, not an UnauthorizedAccessException' {
        & chmod 0644 "$Tree/etc/sysctl.d/99-on.conf"; & chmod 0700 "$Tree/etc/sysctl.d"
        try {
            $text = Invoke-AsNobody "Get-IpForward -Root '$Tree'"
            $text | Should -Not -Match 'UnauthorizedAccess'
            $state = $text.Substring($text.IndexOf('{')) | ConvertFrom-Json
            $state.Confidence | Should -Be 'Low'
            $state.Unreadable[0].Path | Should -Be '/etc/sysctl.d'
        }
        finally { & chmod 0755 "$Tree/etc/sysctl.d" }
    }
}
