"""The 报送平台: the web portal through which counties submit and check their returns (issue 18)."""
