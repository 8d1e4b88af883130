//go:build !unix

package fileio

const openNonblock = 0

func noReader(error) bool { return false }
